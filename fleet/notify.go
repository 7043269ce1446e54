package fleet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// NotifySchema is the $id of docs/notify.schema.json, the message's schema.
const NotifySchema = "https://github.com/fnaudit/fnaudit/docs/notify.schema.json"

// Notification is the one JSON message --notify POSTs per run: the new
// findings that fail the gate. Text is Slack-compatible (an incoming
// webhook shows it as the message).
type Notification struct {
	Schema   string        `json:"$schema"`
	Text     string        `json:"text"`
	RunID    string        `json:"runId"`
	At       time.Time     `json:"at"`
	Listed   int           `json:"listed"`
	Failing  int           `json:"failingFunctions"`
	Errors   int           `json:"errorFunctions"`
	Findings []FindingLine `json:"findings"`
}

// NewNotification builds the message of a run.
func NewNotification(s *Summary) Notification {
	fs := s.NewFailing()
	if fs == nil {
		fs = []FindingLine{}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "fnaudit fleet run %s: %d new failing finding(s); %d function(s) listed, %d failing the gate, %d in error",
		s.RunID, len(fs), s.Listed, s.Failing, s.Errors)
	for i, f := range fs {
		if i == 20 {
			fmt.Fprintf(&b, "\n… and %d more", len(fs)-i)
			break
		}
		fmt.Fprintf(&b, "\n• %s: %s %s@%s (%s)", f.Function, f.AdvisoryID, f.Package, f.Version, f.Severity)
	}
	return Notification{Schema: NotifySchema, Text: b.String(), RunID: s.RunID, At: s.At, Listed: s.Listed,
		Failing: s.Failing, Errors: s.Errors, Findings: fs}
}

// Notifier POSTs a Notification, retrying with backoff on network errors,
// 429 and 5xx (honouring Retry-After).
type Notifier struct {
	Client      *http.Client  // default: 10 s timeout
	MaxAttempts int           // default 4
	BaseDelay   time.Duration // default 500 ms
	MaxDelay    time.Duration // default 10 s
}

// Send delivers n to url; an error means it was finally not delivered.
func (nt *Notifier) Send(ctx context.Context, url string, n Notification) error {
	body, err := json.Marshal(n)
	if err != nil {
		return err
	}
	client := nt.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	attempts := cmpInt(nt.MaxAttempts, 4)
	var last error
	for attempt := 1; ; attempt++ {
		wait := time.Duration(0)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("notify: %w", err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				return nil
			}
			last = fmt.Errorf("notify %s: HTTP %d", redactURL(url), resp.StatusCode)
			if !retryable(resp.StatusCode) {
				return last
			}
			if d, ok := retryAfter(resp.Header, time.Now()); ok {
				wait = d
			}
		} else {
			last = fmt.Errorf("notify %s: %s", redactURL(url), strings.ReplaceAll(err.Error(), url, redactURL(url)))
		}
		if attempt >= attempts {
			return fmt.Errorf("%w (gave up after %d attempts)", last, attempt)
		}
		if wait == 0 {
			wait = backoff(attempt, cmpDur(nt.BaseDelay, 500*time.Millisecond), cmpDur(nt.MaxDelay, 10*time.Second))
		}
		if err := sleep(ctx, wait); err != nil {
			return fmt.Errorf("notify: %w", err)
		}
	}
}

// redactURL keeps scheme and host: webhook paths are secrets.
func redactURL(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return u[:i+3+j] + "/…"
		}
	}
	return u
}
