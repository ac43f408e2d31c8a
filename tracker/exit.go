package tracker

// Exit codes of hoard-tracker, so that a client can tell failures apart even
// when the helper could not write its {"type":"error"} line.
const (
	ExitOK         = 0 // stdin closed, signal, or stdout gone
	ExitFailure    = 1 // anything else; the error line says what
	ExitBadInput   = 2 // the roots line was malformed, oversized or late
	ExitBPFRefused = 3 // the kernel would not load or attach the eBPF programs
	ExitBadRoots   = 4 // a root was refused (system tree, unreadable, not a directory)
	ExitNotRoot    = 5 // started without root privileges
)
