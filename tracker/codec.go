package tracker

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// wireEvent is Event as it travels: raw paths become text or base64 fields.
type wireEvent struct {
	V        int     `json:"v,omitempty"`
	Type     Type    `json:"type"`
	Old      string  `json:"old,omitempty"`
	OldB64   []byte  `json:"old_b64,omitempty"`
	New      string  `json:"new,omitempty"`
	NewB64   []byte  `json:"new_b64,omitempty"`
	Path     string  `json:"path,omitempty"`
	PathB64  []byte  `json:"path_b64,omitempty"`
	Dir      bool    `json:"dir,omitempty"`
	Exchange bool    `json:"exchange,omitempty"`
	Whiteout bool    `json:"whiteout,omitempty"`
	Pid      uint32  `json:"pid,omitempty"`
	UID      *uint32 `json:"uid,omitempty"` // set on rename and unlink, where 0 is root
	Comm     string  `json:"comm,omitempty"`
	TS       uint64  `json:"ts,omitempty"`
	Count    uint64  `json:"count,omitempty"`
	Msg      string  `json:"msg,omitempty"`
	Flags    []Flag  `json:"flags,omitempty"`
}

type wireRoots struct {
	V        int      `json:"v"`
	Roots    []string `json:"roots,omitempty"`
	RootsB64 [][]byte `json:"roots_b64,omitempty"`
}

// MarshalJSON encodes e as one protocol object.
func (e Event) MarshalJSON() ([]byte, error) {
	w := wireEvent{
		V: e.V, Type: e.Type, Dir: e.Dir, Exchange: e.Exchange, Whiteout: e.Whiteout,
		Pid: e.Pid, Comm: e.Comm, TS: e.TS, Count: e.Count, Msg: e.Msg, Flags: e.Flags,
	}
	if e.Type == TypeRename || e.Type == TypeUnlink {
		uid := e.UID
		w.UID = &uid
	}
	w.Old, w.OldB64 = textOrB64(e.Old)
	w.New, w.NewB64 = textOrB64(e.New)
	w.Path, w.PathB64 = textOrB64(e.Path)
	return json.Marshal(w)
}

// MarshalJSON encodes r as the roots line.
func (r Roots) MarshalJSON() ([]byte, error) {
	w := wireRoots{V: r.V}
	for _, root := range r.Roots {
		if text, raw := textOrB64(root); raw != nil {
			w.RootsB64 = append(w.RootsB64, raw)
		} else {
			w.Roots = append(w.Roots, text)
		}
	}
	return json.Marshal(w)
}

// pick returns the one of a text and a base64 field that is set.
func pick(name, text string, raw []byte) (string, error) {
	if text != "" && raw != nil {
		return "", fmt.Errorf("%w: both %s and %s_b64", ErrMalformed, name, name)
	}
	if raw != nil {
		return string(raw), nil
	}
	return text, nil
}

// strictUnmarshal decodes exactly one JSON object with no unknown fields.
func strictUnmarshal(line []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: trailing data after the object", ErrMalformed)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: trailing data after the object", ErrMalformed)
	}
	return nil
}

// ParseEvent decodes and validates one event line (without its newline).
func ParseEvent(line []byte) (Event, error) {
	if len(line) >= MaxLineBytes {
		return Event{}, fmt.Errorf("%w: %d bytes", ErrLineTooLong, len(line))
	}
	var w wireEvent
	if err := strictUnmarshal(line, &w); err != nil {
		return Event{}, err
	}
	e := Event{
		V: w.V, Type: w.Type, Dir: w.Dir, Exchange: w.Exchange, Whiteout: w.Whiteout,
		Pid: w.Pid, Comm: w.Comm, TS: w.TS, Count: w.Count, Msg: w.Msg, Flags: w.Flags,
	}
	if w.UID != nil {
		e.UID = *w.UID
	}
	var err error
	if e.Old, err = pick("old", w.Old, w.OldB64); err != nil {
		return Event{}, err
	}
	if e.New, err = pick("new", w.New, w.NewB64); err != nil {
		return Event{}, err
	}
	if e.Path, err = pick("path", w.Path, w.PathB64); err != nil {
		return Event{}, err
	}
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	return e, nil
}

// ParseRoots decodes and validates the roots line (without its newline).
func ParseRoots(line []byte) (Roots, error) {
	if len(line) >= MaxRootsLineBytes {
		return Roots{}, fmt.Errorf("%w: roots line of %d bytes", ErrLineTooLong, len(line))
	}
	var w wireRoots
	if err := strictUnmarshal(line, &w); err != nil {
		return Roots{}, err
	}
	r := Roots{V: w.V, Roots: w.Roots}
	for _, raw := range w.RootsB64 {
		r.Roots = append(r.Roots, string(raw))
	}
	if err := r.Validate(); err != nil {
		return Roots{}, err
	}
	return r, nil
}

// Encoder writes protocol lines.
type Encoder struct {
	w io.Writer
}

// NewEncoder returns an Encoder writing to w. Each line is one Write call.
func NewEncoder(w io.Writer) *Encoder { return &Encoder{w: w} }

// Encode writes v (an Event or Roots) as one line.
func (enc *Encoder) Encode(v any) error {
	switch v.(type) {
	case Event, *Event, Roots, *Roots:
	default:
		panic(fmt.Sprintf("bug: tracker.Encoder.Encode of %T", v))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode protocol line: %w", err)
	}
	if _, err := enc.w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write protocol line: %w", err)
	}
	return nil
}

// Decoder reads protocol lines with a length cap.
type Decoder struct {
	r   *bufio.Reader
	max int
}

// NewDecoder returns a Decoder reading event lines from r.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{r: bufio.NewReaderSize(r, 64<<10), max: MaxLineBytes}
}

// ReadLine returns the next line without its newline. A line of max bytes or
// more is an ErrLineTooLong error, read no further; a final line without a
// newline is io.ErrUnexpectedEOF.
func ReadLine(r *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(line)+len(chunk) > max {
			return nil, fmt.Errorf("%w: over %d bytes", ErrLineTooLong, max)
		}
		line = append(line, chunk...)
		switch {
		case err == nil:
			return line[:len(line)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(line) > 0:
			return nil, fmt.Errorf("%w: last line has no newline", io.ErrUnexpectedEOF)
		default:
			return nil, err
		}
	}
}

// Next reads and decodes the next event. At the end of input it returns io.EOF.
func (d *Decoder) Next() (Event, error) {
	line, err := ReadLine(d.r, d.max)
	if err != nil {
		return Event{}, err
	}
	return ParseEvent(line)
}
