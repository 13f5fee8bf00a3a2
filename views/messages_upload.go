package views

// Messages of refused uploads that only the content check gives (see
// portal.CheckUpload). The older upload keys (empty, too big, wrong type, too
// many, required) are in messages_case.go.
func init() {
	addMessages(map[string][2]string{
		"upload.malformed":          {"文件已损坏或不完整，无法打开。请重新导出或重新拍摄后再上传。", "The file is damaged or incomplete and cannot be opened. Export or photograph it again and upload the new file."},
		"upload.image_too_big":      {"图片尺寸过大（超过4000万像素）。请缩小图片后再上传。", "The image is too large (over 40 megapixels). Make it smaller and upload it again."},
		"upload.pdf_active_content": {"PDF文件含有脚本、附件、多媒体或自动执行的操作，不能接收。请另存为普通PDF或打印为PDF后再上传。", "The PDF contains scripts, attached files, multimedia or actions that run by themselves, which cannot be accepted. Save or print it as a plain PDF and upload that."},
		"upload.pdf_too_complex":    {"PDF文件的内部结构过大或过于复杂，无法安全检查。请打印为PDF或重新扫描后再上传。", "The PDF's internal structure is too large or too complex to be checked safely. Print it as a PDF again or scan it, and upload that file."},
		"upload.rate_limited":       {"短时间内上传的文件过多。请稍等几分钟后再上传，已填写的内容已保留。", "Too many files were uploaded from here in a short time. Wait a few minutes and upload again; what you typed has been kept."},
		"upload.pdf_encrypted":      {"PDF文件已加密或设置了密码，无法检查其内容。请去除密码后再上传。", "The PDF is encrypted or protected by a password, so its content cannot be checked. Remove the password and upload it again."},
	})
}
