// Package thumbnail makes and caches thumbnails in the freedesktop Thumbnail
// Managing Standard cache ($XDG_CACHE_HOME/thumbnails), so Hoard and file
// managers share work.
//
// Images are decoded in Go under a fixed memory budget (large JPEGs through a
// DC-only scaled decode or their embedded EXIF thumbnail), videos through
// ffmpegthumbnailer or ffmpeg, PDFs through pdftoppm and audio through the
// cover art in its tags. Anything else yields a Result that tells the caller
// which MIME type's icon to show instead.
//
// A Service runs a bounded worker pool fed by a priority queue and keeps a
// byte-bounded LRU of decoded thumbnails for the grid. The package never
// imports a GUI toolkit: results are image.Image values and callbacks run on
// worker goroutines.
package thumbnail
