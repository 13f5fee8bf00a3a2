// Package e2e holds the browser tests of the portal: whole journeys through
// the real server, driven in Debian's Chromium with chromedp, with axe-core
// checking the accessibility of every page in both languages.
//
// The tests need Chromium (`apt-get install chromium fonts-noto-cjk`, or
// CHROMIUM_PATH) and axe-core (`npm ci` at the repository root). Without them
// the tests are skipped with a message, except under CI=true, where a missing
// tool fails the run. With -short they are skipped too.
//
// # Writing a journey
//
// The package has no code outside its tests; the helpers are in
// harness_test.go. A journey starts with h := newHarness(t), which opens a
// fresh store (a bbolt file, or a database of its own on the PostgreSQL
// pass: PORTAL_TEST_DATABASE_URL or SEALPORTAL_TEST_ENGINE=postgres), serves
// the real router on http://localhost:PORT with production settings (Secure,
// __Host- cookies) and starts one Chromium with a zh-CN Accept-Language.
// Then:
//
//   - h.visit(path) and h.clickAndWait(selector) load a page; h.click,
//     h.fill, h.text, h.value, h.exists, h.attr, h.location, h.lang,
//     h.cookies and evalJS[T] act and look without leaving it.
//   - h.login, h.logout and h.switchLanguage drive the header and the login
//     page; h.createStaff, h.createCitizen and h.createAccount put accounts
//     straight into the store (officials have no self-registration).
//   - h.expectText, h.expectPath and h.expectLang assert; msg(lang, key)
//     gives a message of the catalogue, so wording changes do not break tests.
//   - h.screenshot(name) saves a PNG.
//
// Each page load waits for [data-testid=page-heading], which every page must
// have, and runs axe-core (WCAG 2.0-2.2 A and AA) on it. At the end of the
// test every page path visited must have been checked in both zh-CN and en,
// and the browser console must have shown no exception, console.error, CSP
// violation or failed static asset. A failing test keeps a screenshot and the
// HTML of the page and prints the server's log.
//
// Variables: E2E_SCREENSHOTS=dir keeps the screenshots (and the failure
// artefacts) there; CHROMIUM_PATH picks another browser binary; CI=true turns
// a missing tool into a failure.
package e2e
