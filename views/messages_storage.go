package views

// Messages of the page shown when nothing can be saved (the disk or the
// database's size limit is full, or the database is read-only). It must say
// plainly that nothing was saved and that what was typed is still here.
func init() {
	addMessages(map[string][2]string{
		"storage.title":             {"暂时无法保存", "Nothing could be saved"},
		"storage.nothing_saved":     {"您刚才提交的内容没有保存。您填写的内容都在下面，没有丢失。", "What you just sent was not saved. Everything you typed is below and has not been lost."},
		"storage.your_entries":      {"您填写的内容", "What you typed"},
		"storage.your_entries_hint": {"稍后按“再试一次”，会把这些内容原样重新提交。您也可以先把它们复制下来。", "Press \"Try again\" later to send exactly this again. You can also copy it first."},
		"storage.files_again":       {"您选择的文件无法保留，再试时请重新选择。", "Files you chose cannot be kept here: choose them again when you retry."},
		"storage.retry":             {"再试一次", "Try again"},
	})
}
