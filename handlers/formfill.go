package handlers

import (
	"bytes"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"sealportal/portal"
	"sealportal/views"
)

// fillKeptForm fills a form kept across a time-out back into the page: the
// form posting to st.Action gets the kept values in its fields and, at its
// top, a notice saying that what was typed is back (and that files must be
// chosen again). Hidden fields (CSRF token, ids) keep the page's own values;
// password and file fields stay empty. It reports false when the page has no
// such form.
func fillKeptForm(page []byte, st portal.FormState, lang views.Lang) ([]byte, bool) {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil, false
	}
	var forms []*html.Node
	var find func(n *html.Node)
	find = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Form && formPostsTo(n, st.Action) {
			forms = append(forms, n)
			return
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			find(ch)
		}
	}
	find(doc)
	if len(forms) == 0 {
		return nil, false
	}
	target := forms[0]
	filled := false
	for _, f := range forms {
		if fillForm(f, st.Values) && !filled {
			target, filled = f, true
		}
	}
	key := "formstate.kept"
	if st.HadFiles {
		key = "formstate.kept_files"
	}
	notice := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div, Attr: []html.Attribute{
		{Key: "class", Val: "notice"}, {Key: "role", Val: "status"}, {Key: "data-testid", Val: "form-kept"}}}
	notice.AppendChild(&html.Node{Type: html.TextNode, Data: views.Translate(lang, key)})
	target.InsertBefore(notice, target.FirstChild)
	var out bytes.Buffer
	if err := html.Render(&out, doc); err != nil {
		return nil, false
	}
	return out.Bytes(), true
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func setAttr(n *html.Node, key, val string) {
	for i := range n.Attr {
		if n.Attr[i].Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}

func delAttr(n *html.Node, key string) {
	n.Attr = slices.DeleteFunc(n.Attr, func(a html.Attribute) bool { return a.Key == key })
}

// formPostsTo reports whether the form posts to path.
func formPostsTo(n *html.Node, path string) bool {
	method, _ := attr(n, "method")
	action, _ := attr(n, "action")
	if !strings.EqualFold(method, "post") {
		return false
	}
	u, err := url.Parse(action)
	return err == nil && u.Path == path
}

// fillForm puts values into the form's fields, in document order for
// repeated names, and reports whether it filled any field.
func fillForm(form *html.Node, values map[string][]string) bool {
	used := map[string]int{}
	filled := false
	next := func(name string) (string, bool) {
		vs := values[name]
		if used[name] >= len(vs) {
			return "", false
		}
		v := vs[used[name]]
		used[name]++
		return v, true
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name, _ := attr(n, "name")
			if _, kept := values[name]; name != "" && kept {
				switch n.DataAtom {
				case atom.Input:
					typ, _ := attr(n, "type")
					switch strings.ToLower(typ) {
					case "hidden", "password", "file", "submit", "button", "image", "reset":
					case "checkbox", "radio":
						val, ok := attr(n, "value")
						if !ok {
							val = "on"
						}
						if slices.Contains(values[name], val) {
							setAttr(n, "checked", "")
						} else {
							delAttr(n, "checked")
						}
					default:
						if v, ok := next(name); ok {
							setAttr(n, "value", v)
							filled = true
						}
					}
				case atom.Textarea:
					if v, ok := next(name); ok {
						for n.FirstChild != nil {
							n.RemoveChild(n.FirstChild)
						}
						n.AppendChild(&html.Node{Type: html.TextNode, Data: v})
						filled = true
					}
				case atom.Select:
					selectOptions(n, values[name])
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(form)
	return filled
}

func selectOptions(sel *html.Node, chosen []string) {
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Option {
			val, ok := attr(n, "value")
			if !ok && n.FirstChild != nil {
				val = strings.TrimSpace(n.FirstChild.Data)
			}
			if slices.Contains(chosen, val) {
				setAttr(n, "selected", "")
			} else {
				delAttr(n, "selected")
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(sel)
}
