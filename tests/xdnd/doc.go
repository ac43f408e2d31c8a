// Package xdnd is the dragging side of the freedesktop XDND protocol
// (version 5), written for end-to-end tests: it drops a list of URIs onto a
// real X11 window, as a file manager would, so a test can drive the Fyne
// window's drop handler under Xvfb. xdotool can move the pointer but cannot
// offer data, so it cannot do this.
//
// The protocol, as this package speaks it:
//
//  1. a private, unmapped source window takes ownership of XdndSelection;
//  2. the target is the first window at the drop point, walking down from
//     the given window (or the root), that has the XdndAware property;
//  3. XdndEnter names the offered types, XdndPosition the drop point in root
//     coordinates, and the target answers XdndStatus (accept or not);
//  4. XdndDrop, then the target asks for the data with ConvertSelection and
//     the source writes text/uri-list onto the requestor's property;
//  5. the target answers XdndFinished; on any failure after XdndEnter the
//     source sends XdndLeave so the target forgets the drag.
//
// Every wait is bounded, and each error names the step that failed.
package xdnd
