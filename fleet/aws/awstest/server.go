// Package awstest is a small, faithful double of the AWS APIs fleet/aws
// calls, for tests that drive the real aws-sdk-go-v2 clients (signing,
// retries, paginators) against loopback. It speaks:
//
//   - Lambda (REST-JSON): ListFunctions (GET /2015-03-31/functions/ with
//     Marker, MaxItems, FunctionVersion and NextMarker), GetFunction (GET
//     /2015-03-31/functions/{name}?Qualifier=), GetLayerVersionByArn (GET
//     /2018-10-31/layers?find=LayerVersion&Arn=);
//   - STS AssumeRole (query protocol, XML answer);
//   - ECR GetAuthorizationToken (JSON 1.1, X-Amz-Target);
//   - presigned-looking code URLs on the same server, serving the zips.
//
// Shapes follow the SDK's own request/response snapshots
// (service/lambda/response_snapshot/*.snap in aws-sdk-go-v2) and the Lambda
// API reference. The caller's account comes from the access key in the SigV4
// Authorization header (each assumed role gets its own key), and the region
// from the header's credential scope, as AWS itself scopes a signature.
//
// Faults can be injected: throttling (429 TooManyRequestsException) N times
// per operation, a code Location that has expired once (403), a wrong
// CodeSha256 for one function; every call and every code fetch is counted.
package awstest

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// BaseAccessKey / BaseSecretKey are the credentials of the caller's own
// account (BaseAccount) before any role is assumed.
const (
	BaseAccessKey = "AKIDFLEETBASE0000001"
	BaseSecretKey = "base-secret"
	BaseAccount   = "000000000000"
)

// Function is one function version the double serves.
type Function struct {
	Name     string
	Version  string // "$LATEST" or a published number; empty means "$LATEST"
	Runtime  string // empty for images
	Handler  string
	Role     string
	Arch     []string // default x86_64
	Image    bool     // PackageType Image: ImageURI/ResolvedImageURI instead of Zip
	Zip      []byte
	ImageURI string
	// ResolvedImageURI is the digest-pinned image (repo@sha256:...).
	ResolvedImageURI         string
	Layers                   []string          // layer version ARNs, in order
	Env                      map[string]string // environment variables
	SigningProfileVersionArn string
	SigningJobArn            string
	LastModified             string
}

type function struct {
	Function
	account, region string
	wrongSha        bool
	expireNext      bool
}

type layer struct {
	arn, account, region string
	version              int64
	zip                  []byte
}

// Server is the double. Start it with New; Close it when done.
type Server struct {
	*httptest.Server

	mu        sync.Mutex
	keys      map[string]string // access key id -> account
	roles     map[string]role   // role ARN -> role
	funcs     []*function
	layers    map[string]*layer // layer version ARN -> layer
	throttle  map[string]int    // operation -> 429s still to answer
	retryAft  string            // Retry-After value sent with download 429s
	latency   time.Duration     // added before each code download answers
	calls     map[string]int    // operation -> calls answered (throttled ones included)
	fetches   map[string]int    // code key -> successful downloads
	tokens    map[string]string // presigned token -> code key
	expired   map[string]bool   // presigned tokens answered 403
	nextToken int
	authLog   []string // "account/region/service" per signed call
}

type role struct {
	account, externalID string
}

// New starts a double that knows the base credentials.
func New() *Server {
	s := &Server{
		keys:     map[string]string{BaseAccessKey: BaseAccount},
		roles:    map[string]role{},
		layers:   map[string]*layer{},
		throttle: map[string]int{},
		calls:    map[string]int{},
		fetches:  map[string]int{},
		tokens:   map[string]string{},
		expired:  map[string]bool{},
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.route))
	return s
}

// AddRole lets AssumeRole(roleARN) succeed with externalID (which may be
// empty) and return credentials that act in account.
func (s *Server) AddRole(roleARN, externalID, account string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.roles[roleARN] = role{account: account, externalID: externalID}
}

// AddFunction deploys fn in account and region and returns its function ARN
// (qualified by version unless it is $LATEST).
func (s *Server) AddFunction(account, region string, fn Function) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fn.Version == "" {
		fn.Version = "$LATEST"
	}
	if len(fn.Arch) == 0 {
		fn.Arch = []string{"x86_64"}
	}
	if fn.LastModified == "" {
		fn.LastModified = "2026-11-01T10:00:00.000+0000"
	}
	f := &function{Function: fn, account: account, region: region}
	s.funcs = append(s.funcs, f)
	return f.arn(true)
}

// AddLayer publishes a layer version and returns its version ARN.
func (s *Server) AddLayer(account, region, name string, version int64, zip []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	arn := fmt.Sprintf("arn:aws:lambda:%s:%s:layer:%s:%d", region, account, name, version)
	s.layers[arn] = &layer{arn: arn, account: account, region: region, version: version, zip: zip}
	return arn
}

// Throttle makes the next n calls of op answer 429 TooManyRequestsException.
// op is "ListFunctions", "GetFunction", "GetLayerVersionByArn", "AssumeRole",
// "GetAuthorizationToken" or "Download" (code URLs).
func (s *Server) Throttle(op string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle[op] = n
}

// DownloadRetryAfter sets the Retry-After header of throttled downloads
// (seconds or an HTTP date); empty sends none.
func (s *Server) DownloadRetryAfter(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retryAft = v
}

// DownloadLatency delays every code download by d (benchmarks simulate S3).
func (s *Server) DownloadLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// ExpireNextLocation makes the next code Location handed out for the function
// (by ARN as AddFunction returned it) answer 403 "Request has expired", as S3
// does once a presigned URL's 10 minutes are over.
func (s *Server) ExpireNextLocation(functionARN string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.find(functionARN).expireNext = true
}

// WrongCodeSha256 makes the double claim a CodeSha256 that the function's
// bytes do not have.
func (s *Server) WrongCodeSha256(functionARN string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.find(functionARN).wrongSha = true
}

// Calls returns how many requests of op were answered (throttled included).
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// Fetches returns how many times the code of key was downloaded in full (200).
// key is a function ARN as AddFunction returned it, or a layer version ARN.
func (s *Server) Fetches(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches[key]
}

// TotalFetches is the number of full code downloads.
func (s *Server) TotalFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.fetches {
		n += v
	}
	return n
}

// Scopes returns the distinct account/region/service triples that signed
// requests came from, sorted.
func (s *Server) Scopes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for _, v := range s.authLog {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

func (s *Server) find(arn string) *function {
	for _, f := range s.funcs {
		if f.arn(true) == arn || f.arn(false) == arn {
			return f
		}
	}
	panic("awstest: no function " + arn)
}

func (f *function) arn(qualified bool) string {
	a := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", f.region, f.account, f.Name)
	if qualified && f.Version != "$LATEST" {
		a += ":" + f.Version
	}
	return a
}

func (f *function) codeSha256() string {
	if f.Image {
		// Lambda reports the image manifest digest's hex for image functions.
		if i := strings.Index(f.ResolvedImageURI, "@sha256:"); i >= 0 {
			return f.ResolvedImageURI[i+len("@sha256:"):]
		}
		return ""
	}
	b := f.Zip
	if f.wrongSha {
		b = append(append([]byte{}, b...), "tampered"...)
	}
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

var credentialRE = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$`)

// caller checks the SigV4 Authorization header's shape and returns the
// account of its access key and the region of its scope.
func (s *Server) caller(r *http.Request, service string) (account, region string, err error) {
	m := credentialRE.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return "", "", fmt.Errorf("missing or malformed SigV4 Authorization header")
	}
	if m[4] != service {
		return "", "", fmt.Errorf("signed for service %q, not %q", m[4], service)
	}
	if r.Header.Get("X-Amz-Date") == "" {
		return "", "", fmt.Errorf("missing X-Amz-Date")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	account, ok := s.keys[m[1]]
	if !ok {
		return "", "", fmt.Errorf("the security token included in the request is invalid")
	}
	s.authLog = append(s.authLog, account+"/"+m[3]+"/"+service)
	return account, m[3], nil
}

// takeThrottle counts a call of op and reports whether it must be throttled.
func (s *Server) takeThrottle(op string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[op]++
	if s.throttle[op] > 0 {
		s.throttle[op]--
		return true
	}
	return false
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/presigned/"):
		s.download(w, r)
	case strings.HasPrefix(r.URL.Path, "/2015-03-31/functions"), strings.HasPrefix(r.URL.Path, "/2018-10-31/layers"):
		s.lambda(w, r)
	case r.Method == http.MethodPost && r.Header.Get("X-Amz-Target") != "":
		s.ecr(w, r)
	case r.Method == http.MethodPost:
		s.sts(w, r)
	default:
		http.NotFound(w, r)
	}
}
