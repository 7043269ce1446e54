package awstest

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"time"
)

// sts answers AssumeRole (query protocol: form body Action=AssumeRole&
// Version=2011-06-15&RoleArn=…; XML answer as in
// service/sts/response_snapshot/AssumeRole.response.snap).
func (s *Server) sts(w http.ResponseWriter, r *http.Request) {
	if _, _, err := s.caller(r, "sts"); err != nil {
		stsError(w, http.StatusForbidden, "InvalidClientTokenId", err.Error())
		return
	}
	if err := r.ParseForm(); err != nil {
		stsError(w, http.StatusBadRequest, "MalformedInput", err.Error())
		return
	}
	if r.PostForm.Get("Action") != "AssumeRole" || r.PostForm.Get("Version") != "2011-06-15" {
		stsError(w, http.StatusBadRequest, "InvalidAction", "only AssumeRole 2011-06-15 is served by this double")
		return
	}
	if s.takeThrottle("AssumeRole") {
		stsError(w, http.StatusBadRequest, "Throttling", "Rate exceeded")
		return
	}
	roleARN := r.PostForm.Get("RoleArn")
	session := r.PostForm.Get("RoleSessionName")
	s.mu.Lock()
	ro, ok := s.roles[roleARN]
	if !ok || ro.externalID != r.PostForm.Get("ExternalId") || session == "" {
		s.mu.Unlock()
		stsError(w, http.StatusForbidden, "AccessDenied", fmt.Sprintf("User: arn:aws:iam::%s:user/fleet is not authorized to perform: sts:AssumeRole on resource: %s", BaseAccount, roleARN))
		return
	}
	s.nextToken++
	key := fmt.Sprintf("ASIA%012s%04d", ro.account, s.nextToken%10000)
	s.keys[key] = ro.account
	s.mu.Unlock()

	type credentials struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		SessionToken    string `xml:"SessionToken"`
		Expiration      string `xml:"Expiration"`
	}
	type result struct {
		XMLName          xml.Name                            `xml:"AssumeRoleResponse"`
		Xmlns            string                              `xml:"xmlns,attr"`
		AssumedRoleUser  struct{ Arn, AssumedRoleId string } `xml:"AssumeRoleResult>AssumedRoleUser"`
		Credentials      credentials                         `xml:"AssumeRoleResult>Credentials"`
		PackedPolicySize int                                 `xml:"AssumeRoleResult>PackedPolicySize"`
		RequestID        string                              `xml:"ResponseMetadata>RequestId"`
	}
	var out result
	out.Xmlns = "https://sts.amazonaws.com/doc/2011-06-15/"
	out.AssumedRoleUser.Arn = fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", ro.account, roleName(roleARN), session)
	out.AssumedRoleUser.AssumedRoleId = "AROAFLEET:" + session
	out.Credentials = credentials{
		AccessKeyID: key, SecretAccessKey: "secret-" + key, SessionToken: "token-" + key,
		Expiration: time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
	}
	out.RequestID = "11111111-1111-1111-1111-111111111111"
	b, _ := xml.Marshal(out)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

func roleName(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}

func stsError(w http.ResponseWriter, status int, code, msg string) {
	type errResp struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Xmlns     string   `xml:"xmlns,attr"`
		Type      string   `xml:"Error>Type"`
		Code      string   `xml:"Error>Code"`
		Message   string   `xml:"Error>Message"`
		RequestID string   `xml:"RequestId"`
	}
	b, _ := xml.Marshal(errResp{Xmlns: "https://sts.amazonaws.com/doc/2011-06-15/", Type: "Sender", Code: code, Message: msg, RequestID: "22222222-2222-2222-2222-222222222222"})
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	w.Write(b)
}
