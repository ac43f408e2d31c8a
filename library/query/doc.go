// Package query parses Hoard's search language into a syntax tree.
//
// The package is pure: it does no I/O, knows no SQL and reads no clock. The
// index's evaluator turns a [Query] into results; the CLI's `hoard find` and
// the GUI's search box share [Parse], and the GUI's autocomplete uses
// [Completion].
//
// # Syntax
//
//	cat dog            both (AND by juxtaposition)
//	cat | dog          either (OR)
//	-cat               not (NOT)
//	(cat | dog) -bird  grouping
//	"two words"        a tag with exactly that name (spaces, colons, \" and \\ escapes)
//	artist:*  foo*     tag wildcards; * matches any run of characters
//	artist:foo         a namespaced tag (any namespace that is not a field below)
//	hash:1a2b…         content hash (BLAKE3 hex); fewer than 64 digits is a prefix
//	path:/pics/*       path glob (absolute, or starting with *); quote for spaces
//	type:image,video   kind: image, video, audio, document (also type:image|video)
//	mime:image/png     MIME type; mime:image/* for a family
//	ext:jpg            file extension
//	size>10MB          B, KB, MB, GB, TB (×1000) and KiB, MiB, GiB, TiB (×1024)
//	width>=1920        pixels; also height
//	duration>90s       ms, s, m, h, or 1:30 and 1:02:03
//	added>2024-01-01   dates: 2024-01-01, 2024-01-01T10:30[:15], today,
//	modified<7d        yesterday, and N days/weeks/months/years ago (7d, 2w, 3mo, 1y)
//	tags=0  tags>=5    number of tags on a file (implied tags count)
//	missing            files whose path no longer exists
//	duplicates         files whose content another entry shares
//	pool:comic         files in a pool
//	sort:size-desc     order: size, name, added, modified, random; -desc reverses
//	limit:100          at most this many results
//
// Comparisons take = != < <= > >= written without spaces; field:value means
// field=value (added:2024-01-01 is "added that day"). Field names and
// keywords are case-insensitive; tag names are kept as written. NOT binds
// tightest, then AND, then OR. sort: and limit: are not predicates: they may
// appear only at the top level (not in parentheses, not negated), once each,
// and are returned in [Query.Sort] and [Query.Limit]. A query with no
// predicate matches every file.
//
// # Choices worth knowing
//
//   - Quoted text is always an exact tag name: "missing" is a tag, not the
//     keyword, and "foo*" is a tag whose name ends in a star. Wildcards are
//     only for bare words. A field's value may be quoted too:
//     path:"/my pics/*", pool:"Summer 2024", artist:"john smith" (a tag).
//   - | is always OR, except inside a type: value written without spaces:
//     type:image|video is one predicate, like type:image,video; with spaces,
//     type:image | video is type:image OR the tag video.
//   - ( opens a group only at the start of a word; inside a word,
//     parentheses belong to the tag, as boorus name them: fate_(series).
//     They must balance within the word (quote the tag otherwise), so that
//     (a fate_(series)) still closes its group.
//   - A bare word that starts with a name and an operator is a comparison,
//     so foo>3 is an error (unknown field) rather than a tag; write "foo>3".
//     Words that do not start with a name, such as >_< or <3, are tags.
//   - Relative dates (today, 7d) are kept unresolved in [Date]; the evaluator
//     resolves them with [Date.Range] and its own clock and time zone, so
//     Parse stays deterministic. Absolute dates are local wall-clock times,
//     also resolved by [Date.Range].
//   - Every node records the byte span it was parsed from, so callers can
//     point at it (an unknown tag, say). [Error] carries a span too.
package query
