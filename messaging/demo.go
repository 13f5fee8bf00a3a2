package messaging

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"sealportal/store"
)

// DemoFile is the name of the demo delivery file, beside the database.
const DemoFile = "demo-outbox.jsonl"

// DemoLine is one line of the demo delivery file.
type DemoLine struct {
	Channel string `json:"channel"`
	To      string `json:"to"`
	Text    string `json:"text"`
	At      string `json:"at"` // when the message was created (RFC 3339, UTC)
}

// Demo is demo delivery: with no gateway configured, every message (both
// channels) is appended as one JSON line to a file of mode 0600, fsynced
// before the message counts as sent.
//
// It never writes a message twice: the line of a message is fully
// determined by the message (its "at" is the creation time), so when an
// attempt follows one whose outcome is unknown (the process died during it),
// the file is searched for that exact line first.
type Demo struct {
	Path string
	mu   sync.Mutex
}

func demoLine(m store.OutboxMessage) ([]byte, error) {
	b, err := json.Marshal(DemoLine{Channel: string(m.Channel), To: m.To, Text: m.Text, At: m.Created.UTC().Format(time.RFC3339Nano)})
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Deliver appends the message's line.
func (d *Demo) Deliver(_ context.Context, m store.OutboxMessage) (string, error) {
	line, err := demoLine(m)
	if err != nil {
		return "", Permanent(err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if m.Resumed {
		found, err := d.contains(line)
		if err != nil {
			return "", err
		}
		if found {
			return "", nil
		}
	}
	f, err := os.OpenFile(d.Path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return "", err
	}
	end, err := cutTornTail(f)
	if err != nil {
		_ = f.Close()
		return "", err
	}
	if _, err := f.WriteAt(line, end); err != nil {
		_ = f.Close()
		return "", err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return "", err
	}
	return "", f.Close()
}

// cutTornTail removes a last line cut short by a crash (a file that does not
// end in a newline), so that the next line starts on a line of its own, and
// returns the file's length.
func cutTornTail(f *os.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := fi.Size()
	if size == 0 {
		return 0, nil
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, size-1); err != nil {
		return 0, err
	}
	if last[0] == '\n' {
		return size, nil
	}
	all := make([]byte, size)
	if _, err := f.ReadAt(all, 0); err != nil {
		return 0, err
	}
	keep := int64(bytes.LastIndexByte(all, '\n') + 1)
	return keep, f.Truncate(keep)
}

func (d *Demo) contains(line []byte) (bool, error) {
	f, err := os.Open(d.Path)
	if os.IsNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	want := bytes.TrimSuffix(line, []byte("\n"))
	for sc.Scan() {
		if bytes.Equal(sc.Bytes(), want) {
			return true, nil
		}
	}
	if err := sc.Err(); err != nil {
		return false, fmt.Errorf("demo outbox: %w", err)
	}
	return false, nil
}

// ReadDemo reads every line of a demo delivery file (tests, the e2e
// journeys).
func ReadDemo(path string) ([]DemoLine, error) {
	raw, err := os.ReadFile(path) // #nosec G304 -- the demo file beside the database, named by the operator or a test
	if err != nil {
		return nil, err
	}
	var out []DemoLine
	for _, l := range bytes.Split(raw, []byte("\n")) {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		var d DemoLine
		if err := json.Unmarshal(l, &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
