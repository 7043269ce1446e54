package artifact

import (
	"errors"
	"fmt"
)

// InputError is a problem with the artifact itself (hostile or malformed
// input, a limit exceeded), as opposed to an I/O failure of this machine.
// Its message is one line naming the file and, where there is one, the entry.
type InputError struct {
	File   string // the file the user named (zip, layer, image archive, directory)
	Entry  string // the entry inside it, "" when the file as a whole is at fault
	Reason string // what is wrong, e.g. "path escapes the archive"
	Err    error  // underlying error, if any
	// Limit names the flag that raises the limit that was hit, if any.
	Limit string
}

func (e *InputError) Error() string {
	msg := e.File
	if e.Entry != "" {
		msg += fmt.Sprintf(": entry %q", e.Entry)
	}
	msg += ": " + e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Limit != "" {
		msg += " (raise with " + e.Limit + ")"
	}
	return msg
}

func (e *InputError) Unwrap() error { return e.Err }

// IsInputError reports whether err is (or wraps) an *InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}
