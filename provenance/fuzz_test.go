package provenance

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// Fuzz targets for the parsers that see hostile input first (make fuzz).
// Seeds are the real corpus files. Beyond "no panic", each checks that
// whatever parses can never verify for an artifact nobody signed.

func corpusFiles(f *testing.F) [][]byte {
	f.Helper()
	var out [][]byte
	err := filepath.WalkDir(corpusDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) == ".sha256" {
			return err
		}
		data, err := os.ReadFile(path)
		if err == nil {
			out = append(out, data)
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	return out
}

// unsigned is an artifact no corpus statement or signature is about.
var unsigned = Artifact{Name: "unsigned", Digests: map[string][]byte{
	"sha256": make([]byte, 32), "sha384": make([]byte, 48), "sha512": make([]byte, 64),
}}

func fuzzConfig() *config {
	return &config{identityRegexp: regexp.MustCompile(".*"), issuerRegexp: regexp.MustCompile(".*")}
}

func FuzzParseBundle(f *testing.F) {
	for _, data := range corpusFiles(f) {
		f.Add(data)
	}
	tr, err := DefaultTrustedRoot()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pf, err := parseProvenance(data)
		if err != nil {
			return
		}
		if len(pf.entries) == 0 || len(pf.entries) > maxEntries {
			t.Fatalf("%d entries", len(pf.entries))
		}
		for _, e := range pf.entries {
			if e.bundle == nil {
				t.Fatal("entry without bundle")
			}
			r, err := verifyEntry(fuzzConfig(), tr, nil, unsigned, e, time.Now())
			if err != nil {
				continue
			}
			if r.Verified {
				t.Fatalf("verified for an unsigned artifact:\n%s", dump(r))
			}
			if len(r.Checks) != len(checkOrder) {
				t.Fatalf("%d checks, want %d", len(r.Checks), len(checkOrder))
			}
		}
	})
}

func FuzzParseDSSE(f *testing.F) {
	// Seeds: the corpus bundles' envelopes in DSSE JSON form.
	for _, data := range corpusFiles(f) {
		pf, err := parseProvenance(data)
		if err != nil {
			continue
		}
		for _, e := range pf.entries {
			sc, err := e.bundle.SignatureContent()
			if err != nil || sc.EnvelopeContent() == nil {
				continue
			}
			js, err := json.Marshal(sc.EnvelopeContent().RawEnvelope())
			if err == nil {
				f.Add(js)
			}
		}
	}
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"keyid":"","sig":"AA=="}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parseDSSE(data)
		if err != nil {
			return
		}
		if len(entries) == 0 || len(entries) > maxDSSESignatures {
			t.Fatalf("%d entries", len(entries))
		}
		for _, e := range entries {
			sc, err := e.bundle.SignatureContent()
			if err != nil {
				t.Fatal(err)
			}
			env := sc.EnvelopeContent()
			if env == nil || len(env.RawEnvelope().Signatures) != 1 {
				t.Fatal("entry is not a one-signature envelope")
			}
			payload, err := env.RawEnvelope().DecodeB64Payload()
			if err != nil {
				t.Fatalf("payload does not round-trip: %v", err)
			}
			if st, err := parseStatement(env.RawEnvelope().PayloadType, payload); err == nil {
				_, _ = parseSLSA(st)
			}
		}
	})
}

func FuzzParseStatement(f *testing.F) {
	for _, data := range corpusFiles(f) {
		pf, err := parseProvenance(data)
		if err != nil {
			continue
		}
		for _, e := range pf.entries {
			if sc, err := e.bundle.SignatureContent(); err == nil && sc.EnvelopeContent() != nil {
				if p, err := sc.EnvelopeContent().RawEnvelope().DecodeB64Payload(); err == nil {
					f.Add(p)
				}
			}
		}
	}
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"00"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := parseStatement(intotoPayloadType, data)
		if err != nil {
			return
		}
		if n := len(st.GetSubject()); n == 0 || n > maxSubjects {
			t.Fatalf("%d subjects accepted", n)
		}
		for _, s := range st.GetSubject() {
			if len(s.GetDigest()) == 0 {
				t.Fatal("subject without digest accepted")
			}
		}
		info, err := parseSLSA(st)
		if err != nil {
			return
		}
		if info.builderID == "" || info.buildType == "" {
			t.Fatalf("SLSA provenance accepted without builder or build type: %+v", info)
		}
	})
}
