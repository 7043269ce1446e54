package awstest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Lambda answers. Field names and nesting follow the SDK's response
// snapshots (ListFunctions/GetFunction/GetLayerVersionByArn.response.snap).

type fnConfig struct {
	FunctionName             string            `json:"FunctionName"`
	FunctionArn              string            `json:"FunctionArn"`
	Runtime                  string            `json:"Runtime,omitempty"`
	Role                     string            `json:"Role"`
	Handler                  string            `json:"Handler,omitempty"`
	CodeSize                 int64             `json:"CodeSize"`
	CodeSha256               string            `json:"CodeSha256"`
	Version                  string            `json:"Version"`
	LastModified             string            `json:"LastModified"`
	MemorySize               int               `json:"MemorySize"`
	Timeout                  int               `json:"Timeout"`
	PackageType              string            `json:"PackageType"`
	Architectures            []string          `json:"Architectures"`
	Environment              *envResponse      `json:"Environment,omitempty"`
	Layers                   []layerRef        `json:"Layers,omitempty"`
	SigningProfileVersionArn string            `json:"SigningProfileVersionArn,omitempty"`
	SigningJobArn            string            `json:"SigningJobArn,omitempty"`
	State                    string            `json:"State"`
	LastUpdateStatus         string            `json:"LastUpdateStatus"`
	RevisionID               string            `json:"RevisionId"`
	TracingConfig            map[string]string `json:"TracingConfig"`
}

type envResponse struct {
	Variables map[string]string `json:"Variables"`
}

type layerRef struct {
	Arn      string `json:"Arn"`
	CodeSize int64  `json:"CodeSize"`
}

type codeLocation struct {
	RepositoryType   string `json:"RepositoryType"`
	Location         string `json:"Location,omitempty"`
	ImageURI         string `json:"ImageUri,omitempty"`
	ResolvedImageURI string `json:"ResolvedImageUri,omitempty"`
}

func (s *Server) lambda(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		lambdaError(w, http.StatusMethodNotAllowed, "InvalidParameterValueException", "only GET is served by this double")
		return
	}
	account, region, err := s.caller(r, "lambda")
	if err != nil {
		lambdaError(w, http.StatusForbidden, "UnrecognizedClientException", err.Error())
		return
	}
	op := "GetFunction"
	switch {
	case strings.HasPrefix(r.URL.Path, "/2018-10-31/layers"):
		op = "GetLayerVersionByArn"
	case r.URL.Path == "/2015-03-31/functions/" || r.URL.Path == "/2015-03-31/functions":
		op = "ListFunctions"
	}
	if s.takeThrottle(op) {
		// Lambda's throttle: 429 with Retry-After (seconds) and a
		// TooManyRequestsException body (TooManyRequestsException.error.snap).
		w.Header().Set("Retry-After", "1")
		w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
		writeJSON(w, http.StatusTooManyRequests, map[string]string{
			"__type": "TooManyRequestsException", "Reason": "CallerRateLimitExceeded",
			"Type": "User", "message": "Rate exceeded",
		})
		return
	}
	switch op {
	case "ListFunctions":
		s.listFunctions(w, r, account, region)
	case "GetFunction":
		s.getFunction(w, r, account, region)
	default:
		s.getLayerVersionByArn(w, r)
	}
}

func (s *Server) listFunctions(w http.ResponseWriter, r *http.Request, account, region string) {
	q := r.URL.Query()
	all := false
	switch q.Get("FunctionVersion") {
	case "":
	case "ALL":
		all = true
	default:
		lambdaError(w, http.StatusBadRequest, "InvalidParameterValueException", "FunctionVersion must be ALL")
		return
	}
	maxItems := 50
	if v := q.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			lambdaError(w, http.StatusBadRequest, "InvalidParameterValueException", "MaxItems must be between 1 and 10000")
			return
		}
		maxItems = min(n, 50) // Lambda returns at most 50 per page
	}
	start := 0
	if m := q.Get("Marker"); m != "" {
		raw, err := base64.RawURLEncoding.DecodeString(m)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(raw), "idx:"))
		if err != nil || err2 != nil || !strings.HasPrefix(string(raw), "idx:") {
			lambdaError(w, http.StatusBadRequest, "InvalidParameterValueException", "invalid Marker")
			return
		}
		start = n
	}
	s.mu.Lock()
	var list []*function
	for _, f := range s.funcs {
		if f.account == account && f.region == region && (all || f.Version == "$LATEST") {
			list = append(list, f)
		}
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	out := struct {
		Functions  []fnConfig `json:"Functions"`
		NextMarker string     `json:"NextMarker,omitempty"`
	}{Functions: []fnConfig{}}
	end := min(start+maxItems, len(list))
	for i := start; i < end; i++ {
		out.Functions = append(out.Functions, s.config(list[i], all))
	}
	if end < len(list) {
		out.NextMarker = base64.RawURLEncoding.EncodeToString([]byte("idx:" + strconv.Itoa(end)))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// config renders a FunctionConfiguration. Listing with FunctionVersion=ALL
// qualifies every ARN (…:$LATEST too); otherwise $LATEST is unqualified.
func (s *Server) config(f *function, qualifyLatest bool) fnConfig {
	arn := f.arn(true)
	if qualifyLatest && f.Version == "$LATEST" {
		arn += ":$LATEST"
	}
	c := fnConfig{
		FunctionName: f.Name, FunctionArn: arn, Runtime: f.Runtime, Role: f.Role,
		Handler: f.Handler, CodeSize: int64(len(f.Zip)), CodeSha256: f.codeSha256(),
		Version: f.Version, LastModified: f.LastModified, MemorySize: 128, Timeout: 3,
		PackageType: "Zip", Architectures: f.Arch,
		SigningProfileVersionArn: f.SigningProfileVersionArn, SigningJobArn: f.SigningJobArn,
		State: "Active", LastUpdateStatus: "Successful",
		RevisionID: fmt.Sprintf("rev-%s-%s", f.Name, f.Version), TracingConfig: map[string]string{"Mode": "PassThrough"},
	}
	if f.Image {
		c.PackageType = "Image"
		c.Handler = ""
	}
	if len(f.Env) > 0 {
		c.Environment = &envResponse{Variables: f.Env}
	}
	for _, la := range f.Layers {
		ref := layerRef{Arn: la}
		if l := s.layers[la]; l != nil {
			ref.CodeSize = int64(len(l.zip))
		}
		c.Layers = append(c.Layers, ref)
	}
	return c
}

// getFunction accepts a name, a full or partial ARN (optionally with the
// version), and ?Qualifier=, like Lambda.
func (s *Server) getFunction(w http.ResponseWriter, r *http.Request, account, region string) {
	name, err := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), "/2015-03-31/functions/"))
	if err != nil || name == "" || strings.Contains(name, "/") {
		lambdaError(w, http.StatusBadRequest, "InvalidParameterValueException", "bad function name")
		return
	}
	qualifier := r.URL.Query().Get("Qualifier")
	if strings.HasPrefix(name, "arn:") {
		parts := strings.Split(name, ":")
		if len(parts) < 7 || parts[3] != region || parts[4] != account {
			lambdaError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+name)
			return
		}
		name = parts[6]
		if len(parts) == 8 {
			if qualifier != "" && qualifier != parts[7] {
				lambdaError(w, http.StatusBadRequest, "InvalidParameterValueException", "qualifier does not match the ARN")
				return
			}
			qualifier = parts[7]
		}
	}
	if qualifier == "" {
		qualifier = "$LATEST"
	}
	s.mu.Lock()
	var f *function
	for _, c := range s.funcs {
		if c.account == account && c.region == region && c.Name == name && c.Version == qualifier {
			f = c
		}
	}
	if f == nil {
		s.mu.Unlock()
		lambdaError(w, http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("Function not found: arn:aws:lambda:%s:%s:function:%s:%s", region, account, name, qualifier))
		return
	}
	cfg := s.config(f, false)
	code := codeLocation{RepositoryType: "S3"}
	if f.Image {
		code = codeLocation{RepositoryType: "ECR", ImageURI: f.ImageURI, ResolvedImageURI: f.ResolvedImageURI}
	} else {
		code.Location = s.presign(r, f.arn(true), f.region, f.expireNext)
		f.expireNext = false
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"Configuration": cfg,
		"Code":          code,
		"Tags":          map[string]string{"team": "fleet"},
	})
}

func (s *Server) getLayerVersionByArn(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("find") != "LayerVersion" {
		lambdaError(w, http.StatusBadRequest, "InvalidParameterValueException", "find must be LayerVersion")
		return
	}
	arn := q.Get("Arn")
	s.mu.Lock()
	l := s.layers[arn]
	if l == nil {
		s.mu.Unlock()
		lambdaError(w, http.StatusNotFound, "ResourceNotFoundException", "Layer version "+arn+" does not exist.")
		return
	}
	sum := sha256Base64(l.zip)
	loc := s.presign(r, l.arn, l.region, false)
	layerArn := l.arn[:strings.LastIndex(l.arn, ":")]
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"Content": map[string]any{
			"Location": loc, "CodeSha256": sum, "CodeSize": len(l.zip),
		},
		"LayerArn":           layerArn,
		"LayerVersionArn":    l.arn,
		"Version":            l.version,
		"CreatedDate":        "2026-10-01T10:00:00.000+0000",
		"CompatibleRuntimes": []string{},
	})
}

// lambdaError writes a REST-JSON error as Lambda does: the code in
// X-Amzn-ErrorType, the body {"Type","message"}.
func lambdaError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("X-Amzn-ErrorType", code)
	writeJSON(w, status, map[string]string{"Type": "User", "message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-RequestId", "00000000-0000-0000-0000-000000000000")
	w.WriteHeader(status)
	w.Write(b)
}
