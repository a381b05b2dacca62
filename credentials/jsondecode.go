package credentials

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// checkSchema says why a file of schema v cannot be used by a build that
// knows schema known, or nil; what names the file ("profile file").
func checkSchema(v, known int, what string) error {
	if v < 1 {
		return fmt.Errorf("it has no valid schemaVersion, so it is not a Credential Workbench %s", what)
	}
	if v > known {
		// Written by a newer release: rewriting would drop its fields, so it
		// is treated like a broken file (kept, never overwritten).
		return fmt.Errorf("it was written by a newer Credential Workbench (schema %d, this one knows %d); update the app", v, known)
	}
	return nil
}

// describeJSONError turns a decoder error into "line L, column C: …".
func describeJSONError(b []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 {
		return err
	}
	// Offset counts the bytes read when the error was found, the offending
	// one included: step back onto it, except at the end of a truncated file.
	if off > 0 && off <= int64(len(b)) && !(se != nil && off == int64(len(b)) && strings.Contains(se.Error(), "end of JSON input")) {
		off--
	}
	line, col := 1, 1
	for i := int64(0); i < off && i < int64(len(b)); i++ {
		if b[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	if te != nil && te.Field != "" {
		// Say it in the file's own terms rather than Go's type names.
		return fmt.Errorf("invalid JSON at line %d, column %d: %q must be %s, not %s", line, col, te.Field, jsonKind(te.Type), te.Value)
	}
	return fmt.Errorf("invalid JSON at line %d, column %d: %v", line, col, err)
}

// jsonKind names what JSON value a Go type is read from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another kind of value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list [...]"
	case reflect.Struct, reflect.Map:
		return "an object {...}"
	}
	return "another kind of value"
}
