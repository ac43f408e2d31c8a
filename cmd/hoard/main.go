// Command hoard is Hoard's command line: include files where they live, tag them, query
// them, keep the index right as they move. Every command is a thin shell over package
// library; output is made for pipes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"hoard/library"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	exitProblem = 3 // `hoard check` found problems
)

// command is one subcommand. run gets the flags already parsed into fs.
type command struct {
	name    string
	args    string // usage after the name, e.g. "[-t TAG]… PATH…"
	summary string
	flags   func(fs *flag.FlagSet) // declares the command's flags (may be nil)
	run     func(ctx context.Context, env *env, args []string) error
}

var commands = map[string]*command{}

// register adds a subcommand; each cmd_*.go file registers its own in init.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("bug: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// env is what every command gets: the output streams, the global flags and a lazily
// opened library.
type env struct {
	stdout, stderr io.Writer
	dbPath         string
	lib            *library.Library
	fs             *flag.FlagSet
}

// library opens the library (creating it unless the command says otherwise).
func (e *env) library(ctx context.Context) (*library.Library, error) {
	if e.lib != nil {
		return e.lib, nil
	}
	l, err := library.Open(ctx, e.dbPath, library.Options{})
	if err != nil {
		return nil, err
	}
	e.lib = l
	return l, nil
}

// usageError is a mistake in how a command was called: exit code 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// codedError is an error with its own exit code, printed without the --help hint
// (a mistyped query is a usage mistake, but the message already says what to fix).
type codedError struct {
	err  error
	code int
}

func (c codedError) Error() string { return c.err.Error() }
func (c codedError) Unwrap() error { return c.err }

// problemsFound makes hoard exit with code 3 without an error line.
var errProblemsFound = errors.New("problems found")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	global := flag.NewFlagSet("hoard", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	dbPath := global.String("db", library.DefaultPath(), "library database `file` (also $HOARD_DB)")
	help := global.Bool("help", false, "show help")
	global.BoolVar(help, "h", false, "show help")
	if err := global.Parse(args); err != nil {
		fmt.Fprintf(stderr, "hoard: %v (see `hoard --help`)\n", err)
		return exitUsage
	}
	rest := global.Args()
	if *help || len(rest) == 0 {
		printUsage(stdout)
		if len(rest) == 0 && !*help {
			return exitUsage
		}
		return exitOK
	}
	name := rest[0]
	if name == "help" {
		if len(rest) > 1 {
			if c, ok := commands[rest[1]]; ok {
				printCommandHelp(stdout, c)
				return exitOK
			}
		}
		printUsage(stdout)
		return exitOK
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "hoard: unknown command %q (see `hoard --help`)\n", name)
		return exitUsage
	}
	fs := flag.NewFlagSet("hoard "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if c.flags != nil {
		c.flags(fs)
	}
	cmdHelp := fs.Bool("help", false, "show help")
	fs.BoolVar(cmdHelp, "h", false, "show help")
	if err := fs.Parse(rest[1:]); err != nil {
		fmt.Fprintf(stderr, "hoard %s: %v (see `hoard %s --help`)\n", name, err, name)
		return exitUsage
	}
	if *cmdHelp {
		printCommandHelp(stdout, c)
		return exitOK
	}
	e := &env{stdout: stdout, stderr: stderr, dbPath: *dbPath, fs: fs}
	err := c.run(ctx, e, fs.Args())
	if e.lib != nil {
		if cerr := e.lib.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	return report(stderr, name, err)
}

// report prints err as one line and picks the exit code.
func report(stderr io.Writer, name string, err error) int {
	var ue usageError
	var ce codedError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errProblemsFound):
		return exitProblem
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "hoard %s: %s (see `hoard %s --help`)\n", name, ue.msg, name)
		return exitUsage
	case errors.As(err, &ce):
		fmt.Fprintf(stderr, "hoard %s: %s\n", name, oneLine(ce.Error()))
		return ce.code
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "hoard %s: interrupted; the index is consistent (finished work was kept; run the command again to finish)\n", name)
		return exitFailure
	}
	msg := err.Error()
	if advice := library.Advice(err); advice != "" {
		msg += "; " + advice
	}
	fmt.Fprintf(stderr, "hoard %s: %s\n", name, oneLine(msg))
	return exitFailure
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", `\n`) }

func printUsage(w io.Writer) {
	fmt.Fprint(w, `Hoard tags files where they already live.

Usage: hoard [--db FILE] COMMAND [FLAGS] [ARGS]

Commands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		// Only the first line: a summary may go on with details for `hoard X --help`.
		first, _, _ := strings.Cut(commands[n].summary, "\n")
		fmt.Fprintf(w, "  %-10s %s\n", n, first)
	}
	fmt.Fprint(w, `
The library is $XDG_DATA_HOME/hoard/library.db unless --db or $HOARD_DB say otherwise.
Run 'hoard COMMAND --help' for a command's flags. Exit codes: 0 ok, 1 failure, 2 usage.
`)
}

func printCommandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "Usage: hoard %s %s\n\n%s\n", c.name, c.args, c.summary)
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	if c.flags != nil {
		c.flags(fs)
	}
	has := false
	fs.VisitAll(func(*flag.Flag) { has = true })
	if has {
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// multiFlag is a repeatable string flag (-t a -t b).
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
