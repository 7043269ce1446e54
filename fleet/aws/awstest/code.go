package awstest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// presign issues a presigned-looking URL for key's code on this server
// (caller holds s.mu). expired marks it as already past its 10 minutes.
func (s *Server) presign(r *http.Request, key, region string, expired bool) string {
	s.nextToken++
	token := fmt.Sprintf("t%06d", s.nextToken)
	s.tokens[token] = key
	if expired {
		s.expired[token] = true
	}
	return fmt.Sprintf("%s/presigned/awslambda-%s-tasks/%s?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAEXAMPLE%%2F%s%%2F%s%%2Fs3%%2Faws4_request&X-Amz-Date=%s&X-Amz-Expires=600&X-Amz-SignedHeaders=host&X-Amz-Signature=%s",
		s.URL, region, token, time.Now().UTC().Format("20060102"), region, time.Now().UTC().Format("20060102T150405Z"), hexSHA(token))
}

// download serves a presigned code URL: 403 with S3's XML error when
// expired or unknown, 429 when throttled, else the zip.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	latency := s.latency
	s.mu.Unlock()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/presigned/"), "/")
	token := parts[len(parts)-1]
	if s.takeThrottle("Download") {
		s.mu.Lock()
		ra := s.retryAft
		s.mu.Unlock()
		if ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		http.Error(w, "SlowDown", http.StatusTooManyRequests)
		return
	}
	s.mu.Lock()
	key, ok := s.tokens[token]
	expired := s.expired[token]
	var body []byte
	if ok && !expired {
		for _, f := range s.funcs {
			if f.arn(true) == key {
				body = f.Zip
			}
		}
		if l := s.layers[key]; l != nil {
			body = l.zip
		}
		s.fetches[key]++
	}
	s.mu.Unlock()
	if !ok || expired {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message><X-Amz-Expires>600</X-Amz-Expires></Error>`)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.Write(body)
}

func sha256Base64(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// hexSHA gives a signature-looking 64-hex-digit value.
func hexSHA(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
