package rules

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"hoard/library"
)

// ErrSpec marks a spec that cannot be parsed: a usage error, never a crash.
var ErrSpec = errors.New("bad rule")

// Kinds lists the rule kinds Parse knows, for help texts and "did you mean".
var Kinds = []string{"folders", "regex", "mime", "audio", "exif"}

// aliases are other spellings Parse accepts for a kind.
var aliases = map[string]string{"folder": "folders", "re": "regex", "type": "mime"}

// IsKind reports whether name is a rule kind or one of its other spellings (so it
// cannot be a saved rule's name).
func IsKind(name string) bool {
	name = strings.ToLower(name)
	if _, ok := aliases[name]; ok {
		return true
	}
	for _, k := range Kinds {
		if k == name {
			return true
		}
	}
	return false
}

// option is one ":"-separated piece of a spec: key=value or a bare word (value "").
type option struct{ key, value string }

// common are the options every kind takes.
type common struct {
	ns    string
	lower bool
}

// Parse turns a spec (see the package comment) into a rule. Errors wrap ErrSpec.
func Parse(spec string) (library.Rule, error) {
	spec = strings.TrimSpace(spec)
	kind, rest, _ := strings.Cut(spec, ":")
	kind = strings.ToLower(kind)
	if k, ok := aliases[kind]; ok {
		kind = k
	}
	var pattern string
	if kind == "regex" {
		var err error
		pattern, rest, err = splitPattern(rest)
		if err != nil {
			return nil, fmt.Errorf("%w %q: %w", ErrSpec, spec, err)
		}
	}
	opts, err := splitOptions(rest)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrSpec, spec, err)
	}
	var r library.Rule
	switch kind {
	case "folders":
		r, err = newFolders(opts)
	case "regex":
		r, err = newRegex(pattern, opts)
	case "mime":
		r, err = newMIME(opts)
	case "audio":
		r, err = newAudio(opts)
	case "exif":
		r, err = newEXIF(opts)
	case "":
		err = errors.New("empty rule; give one of " + strings.Join(Kinds, ", "))
	default:
		err = fmt.Errorf("unknown kind %q; rules are %s (or a saved rule's name)", kind, strings.Join(Kinds, ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrSpec, spec, err)
	}
	return r, nil
}

// splitPattern takes a delimited pattern off the front of s: the first character is
// the delimiter, and a backslash before it inside the pattern stands for the delimiter
// itself. It returns the pattern and what follows the closing delimiter (without a
// leading colon).
func splitPattern(s string) (string, string, error) {
	if s == "" {
		return "", "", errors.New("give a pattern: regex:/PATTERN/")
	}
	delim := s[0]
	if delim == '\\' || delim == ' ' || delim >= 0x80 || isWordByte(delim) {
		return "", "", fmt.Errorf("the pattern must start with a delimiter such as / or #, not %q", delim)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && s[i+1] == delim {
			b.WriteByte(delim)
			i++
			continue
		}
		if c == delim {
			rest := s[i+1:]
			if rest != "" && rest[0] != ':' {
				return "", "", fmt.Errorf("expected ':' after the closing %c, got %q", delim, rest)
			}
			return b.String(), strings.TrimPrefix(rest, ":"), nil
		}
		b.WriteByte(c)
	}
	return "", "", fmt.Errorf("the pattern has no closing %c", delim)
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func splitOptions(s string) ([]option, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []option
	for _, piece := range strings.Split(s, ":") {
		piece = strings.TrimSpace(piece)
		if piece == "" {
			return nil, errors.New("empty option (two colons in a row?)")
		}
		k, v, _ := strings.Cut(piece, "=")
		out = append(out, option{strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)})
	}
	return out, nil
}

// takeCommon handles ns= and lower, returning the options left for the kind.
func takeCommon(opts []option) (common, []option, error) {
	var c common
	var rest []option
	for _, o := range opts {
		switch o.key {
		case "lower":
			if o.value != "" {
				return c, nil, errors.New("lower takes no value")
			}
			c.lower = true
		case "ns", "namespace":
			ns, err := checkNamespace(o.value)
			if err != nil {
				return c, nil, err
			}
			c.ns = ns
		default:
			rest = append(rest, o)
		}
	}
	return c, rest, nil
}

func checkNamespace(ns string) (string, error) {
	if ns == "" {
		return "", errors.New("ns= needs a namespace, e.g. ns=artist")
	}
	if strings.Contains(ns, ":") {
		return "", fmt.Errorf("namespace %q contains ':'", ns)
	}
	if _, err := library.NormalizeTagName(ns); err != nil {
		return "", err
	}
	return ns, nil
}

func parseDepth(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 64 {
		return 0, fmt.Errorf("depth must be a number from 1 to 64, not %q", v)
	}
	return n, nil
}

func unknownOption(kind string, o option, known string) error {
	name := o.key
	if o.value != "" {
		name += "=" + o.value
	}
	return fmt.Errorf("%s takes no option %q (it takes %s)", kind, name, known)
}

// named is a saved rule: it tags like its spec but records its saved name.
type named struct {
	name string
	library.Rule
}

func (n named) Name() string { return n.name }

// Named makes r record name as the rule that made its tags (a saved rule's name).
func Named(name string, r library.Rule) library.Rule { return named{name, r} }
