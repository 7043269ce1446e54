package provenance

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// checkDigest checks that the signed content vouches for this artifact: a
// subject of the in-toto statement carries the artifact's digest (sha256,
// sha384 or sha512, whichever the statement uses), or the message signature
// was made over the artifact's digest.
func checkDigest(r *Result, a Artifact, e *entityParts) {
	if msg := e.sig.MessageSignatureContent(); msg != nil {
		alg := hashName(msg.DigestAlgorithm())
		signed := alg + ":" + hex.EncodeToString(msg.Digest())
		want, ok := a.Digests[alg]
		switch {
		case !ok:
			r.Undecided = true
			r.set(CheckDigest, Fail, "the message signature is over a %s digest; the artifact's %s digest is not known (have %s)", alg, alg, haveAlgs(a))
		case !bytes.Equal(want, msg.Digest()):
			r.set(CheckDigest, Fail, "artifact %s:%s is not the signed %s", alg, hex.EncodeToString(want), signed)
		default:
			r.Digest = signed
			r.set(CheckDigest, Pass, "artifact %s is the signed message digest", signed)
		}
		return
	}
	if e.stmtErr != nil {
		r.set(CheckDigest, Fail, "%v", e.stmtErr)
		return
	}
	var (
		compared = map[string]bool{}
		listed   []string
	)
	for _, s := range e.stmt.GetSubject() {
		for alg, hexDigest := range s.GetDigest() {
			alg = strings.ToLower(alg)
			listed = append(listed, fmt.Sprintf("%s %s:%s", quoteName(s.GetName()), alg, hexDigest))
			want, ok := a.Digests[alg]
			if !ok {
				continue
			}
			compared[alg] = true
			got, err := hex.DecodeString(hexDigest)
			if err != nil || !bytes.Equal(got, want) {
				continue
			}
			r.Digest = alg + ":" + hex.EncodeToString(want)
			r.Subject = s.GetName()
			r.set(CheckDigest, Pass, "artifact %s is subject %s", r.Digest, quoteName(s.GetName()))
			return
		}
	}
	sort.Strings(listed)
	if len(listed) > 4 {
		listed = append(listed[:4], fmt.Sprintf("and %d more", len(listed)-4))
	}
	if len(compared) == 0 {
		r.Undecided = true
		r.set(CheckDigest, Fail, "the statement's subjects carry no digest the artifact is known by (artifact: %s; subjects: %s)", haveAlgs(a), strings.Join(listed, ", "))
		return
	}
	r.set(CheckDigest, Fail, "artifact %s matches no subject of the statement (subjects: %s)", artifactDigests(a, compared), strings.Join(listed, ", "))
}

func quoteName(s string) string {
	if s == "" {
		return "(unnamed)"
	}
	return fmt.Sprintf("%q", s)
}

func haveAlgs(a Artifact) string {
	var algs []string
	for alg := range a.Digests {
		algs = append(algs, alg)
	}
	sort.Strings(algs)
	return strings.Join(algs, ", ")
}

// artifactDigests lists the artifact's digests in the algorithms compared.
func artifactDigests(a Artifact, compared map[string]bool) string {
	var out []string
	for _, alg := range []string{"sha256", "sha384", "sha512"} {
		if d, ok := a.Digests[alg]; ok && compared[alg] {
			out = append(out, alg+":"+hex.EncodeToString(d))
		}
	}
	return strings.Join(out, " / ")
}
