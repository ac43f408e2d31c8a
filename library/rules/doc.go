// Package rules derives tags from what files already say: their folders, their names,
// their MIME type, their audio tags and their EXIF block. Each rule is a
// [library.Rule]; [Parse] turns the one-line spec a user types after `--rule` into one.
//
// # Spec syntax
//
// A spec is a rule kind followed by options, each after a colon. An option is a bare
// word or key=value. Options may come in any order.
//
//	folders[:NS][:depth=N][:lower]
//	    the names of the N folders nearest the file (default 1: its own folder) become
//	    tags, namespaced NS: when given (folders:series:depth=2).
//	regex:/PATTERN/[:name|path][:ns=NS][:lower]
//	    a Go regular expression over the file's base name (default) or its whole
//	    absolute path; every capture group of every match becomes a tag. A named group
//	    (?P<artist>…) makes a tag in that namespace; with no groups the whole match is
//	    the tag. Any ASCII punctuation may delimit the pattern (regex:#a/(b)#:path);
//	    write the delimiter inside the pattern with a backslash before it (\/).
//	mime[:ns=NS] | mime:CLASS=TAG[,CLASS=TAG…]
//	    the media class (image, video, audio, document, other) as kind:image, or
//	    NS:image; or a fixed tag per class (mime:image=photo,video=clip), other classes
//	    untagged.
//	audio[:fields=artist,album,title,year,genre][:lower]
//	    audio metadata (ID3, MP4, FLAC, Ogg tags) as artist:…, album:…, title:…,
//	    year:…, genre:…; fields picks some of them.
//	exif[:date=year|month|day][:lower]
//	    camera:MODEL and taken:YYYY-MM-DD (or taken:YYYY, taken:YYYY-MM) from a photo's
//	    EXIF block, when present.
//
// Every kind also takes lower (lower-case the tags) and ns=NS (namespace every tag
// it makes; for audio and exif it replaces their own namespaces). The kinds folder,
// re and type are accepted for folders, regex and mime.
//
// A rule's Name is its canonical spec (Parse(r.Name()) gives the same rule); it is
// what Include records as the rule that made a tag. [Named] wraps a saved rule so
// that its saved name is recorded instead.
//
// # Safety
//
// Rules run on every file of an include, hostile ones too. A rule that cannot read or
// parse a file returns an error, which Include treats as "no tags from this rule"; the
// parsers of audio tags and EXIF run behind a recover and read a bounded prefix. Tag
// text from files is cleaned ([Clean]) so that it is a valid tag name or dropped.
package rules
