package awstest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// ECRPassword is the registry password the double's tokens carry.
const ECRPassword = "ecr-password-for-"

// ecr answers GetAuthorizationToken (JSON 1.1, X-Amz-Target
// AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken), as in
// service/ecr/response_snapshot/GetAuthorizationToken.response.snap. The
// token is base64("AWS:" + ECRPassword + account).
func (s *Server) ecr(w http.ResponseWriter, r *http.Request) {
	account, region, err := s.caller(r, "ecr")
	if err != nil {
		jsonError(w, http.StatusBadRequest, "UnrecognizedClientException", err.Error())
		return
	}
	if r.Header.Get("X-Amz-Target") != "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken" {
		jsonError(w, http.StatusBadRequest, "UnknownOperationException", "only GetAuthorizationToken is served by this double")
		return
	}
	if r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		jsonError(w, http.StatusBadRequest, "SerializationException", "content type must be application/x-amz-json-1.1")
		return
	}
	var in struct {
		RegistryIDs []string `json:"registryIds"`
	}
	body, _ := io.ReadAll(r.Body)
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			jsonError(w, http.StatusBadRequest, "SerializationException", err.Error())
			return
		}
	}
	if s.takeThrottle("GetAuthorizationToken") {
		jsonError(w, http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
		return
	}
	token := base64.StdEncoding.EncodeToString([]byte("AWS:" + ECRPassword + account))
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(map[string]any{
		"authorizationData": []map[string]any{{
			"authorizationToken": token,
			"expiresAt":          float64(time.Now().Add(12 * time.Hour).Unix()),
			"proxyEndpoint":      fmt.Sprintf("https://%s.dkr.ecr.%s.amazonaws.com", account, region),
		}},
	})
}

func jsonError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}
