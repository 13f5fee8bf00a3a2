package handlers

import (
	"bufio"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sealportal/internal/pdfgen"
)

// residentKB reads the process's resident memory from /proc/self/status.
func residentKB(t testing.TB) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status on this system")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Fatal("no VmRSS line")
	return 0
}

// TestUploadPDFBombAnonymously is the attack of issue 13 finding 1 as it was
// sent: anonymous leak reports carrying a ~400 KB PDF whose eight object
// streams each inflate to 50 MiB, several at once, while the server's
// resident memory is read. It must stay under 150 MB above idle, and every
// report is refused with the translated "too complex" error, its typed
// answers kept. Not parallel: other tests would move the resident memory.
func TestUploadPDFBombAnonymously(t *testing.T) {
	bomb := pdfgen.ObjectStreamBomb(8, 50<<20)
	ts := newTestServer(t)
	const reports = 4
	clients := make([]*testClient, reports)
	forms := make([]string, reports)
	for i := range clients {
		clients[i] = ts.newClient()
		clients[i].setLang("en")
		forms[i] = clients[i].get("/report").wantStatus(t, http.StatusOK).csrf(t)
	}
	runtime.GC()
	debug.FreeOSMemory()
	idle := residentKB(t)

	var peak int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if kb := residentKB(t); kb > peak {
				peak = kb
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	pages := make([]*testPage, reports)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			pages[i] = leakMultipart(t, clients[i], "/report", leakReportForm(forms[i]), map[string][]byte{"judgment.pdf": bomb})
		})
	}
	wg.Wait()
	close(stop)
	<-sampled

	grew := (peak - idle) / 1024
	t.Logf("resident memory: idle %d MB, peak %d MB, grew %d MB (file %d KB)", idle/1024, peak/1024, grew, len(bomb)/1024)
	if grew >= 150 {
		t.Errorf("resident memory grew by %d MB checking PDF bombs, want under 150 MB", grew)
	}
	for _, p := range pages {
		p.wantStatus(t, http.StatusUnprocessableEntity)
		if e := p.fieldError("files"); !strings.Contains(e, "too large or too complex") {
			t.Fatalf("files error %q", e)
		}
		if v, _ := p.inputValue("source_name"); v != "某中学" {
			t.Fatalf("typed value lost: %q", v)
		}
	}
}

// TestUploadAnonymousRateLimit: one address without an account cannot keep
// the content checks busy; past its allowance the file is refused with a
// translated error and the typed answers stay.
func TestUploadAnonymousRateLimit(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	var p *testPage
	for i := 0; i <= anonUploadFiles/5; i++ {
		// A new visitor (a new draft) each time, from the same address.
		c := ts.newClient()
		c.setLang("en")
		csrf := c.get("/report").csrf(t)
		files := map[string][]byte{}
		for j := range 5 {
			files["s"+strconv.Itoa(i)+"-"+strconv.Itoa(j)+".png"] = leakPNG
		}
		bad := leakReportForm(csrf)
		bad.Del("disclosed") // stays on the form, so the files are checked each time
		p = leakMultipart(t, c, "/report", bad, files)
	}
	if e := p.fieldError("files"); !strings.Contains(e, "Too many files") {
		t.Fatalf("after %d files: files error %q", anonUploadFiles+5, e)
	}
	if v, _ := p.inputValue("source_name"); v != "某中学" {
		t.Fatalf("typed value lost: %q", v)
	}
}
