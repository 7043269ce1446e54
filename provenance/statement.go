package provenance

import (
	"errors"
	"fmt"

	intoto "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

const (
	intotoPayloadType   = "application/vnd.in-toto+json"
	statementTypeV1     = "https://in-toto.io/Statement/v1"
	statementTypeV01    = "https://in-toto.io/Statement/v0.1"
	maxSubjects         = 1024 // as sigstore-go: bounds work on hostile statements
	maxDigestsPerSubjet = 32
)

// parseStatement reads the in-toto Statement (v0.1 or v1) carried by a DSSE
// envelope, with the in-toto attestation Go types. protojson rejects
// duplicate keys, so a payload cannot show one subject to one parser and
// another to the next.
func parseStatement(payloadType string, payload []byte) (*intoto.Statement, error) {
	if payloadType != intotoPayloadType {
		return nil, fmt.Errorf("DSSE payload type %q is not an in-toto statement (%s)", payloadType, intotoPayloadType)
	}
	var st intoto.Statement
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(payload, &st); err != nil {
		return nil, fmt.Errorf("in-toto statement: %w", err)
	}
	if st.GetType() != statementTypeV1 && st.GetType() != statementTypeV01 {
		return nil, fmt.Errorf("in-toto statement: _type %q is not %s or %s", st.GetType(), statementTypeV1, statementTypeV01)
	}
	if len(st.GetSubject()) == 0 {
		return nil, errors.New("in-toto statement: no subject")
	}
	if len(st.GetSubject()) > maxSubjects {
		return nil, fmt.Errorf("in-toto statement: %d subjects, more than %d", len(st.GetSubject()), maxSubjects)
	}
	for i, s := range st.GetSubject() {
		if len(s.GetDigest()) == 0 {
			return nil, fmt.Errorf("in-toto statement: subject %d (%q) has no digest", i+1, s.GetName())
		}
		if len(s.GetDigest()) > maxDigestsPerSubjet {
			return nil, fmt.Errorf("in-toto statement: subject %d has %d digests, more than %d", i+1, len(s.GetDigest()), maxDigestsPerSubjet)
		}
	}
	if st.GetPredicateType() == "" {
		return nil, errors.New("in-toto statement: no predicateType")
	}
	return &st, nil
}
