package query

import "testing"

func BenchmarkParse(b *testing.B) {
	const src = `(artist:* | "my tag") cat -dog type:image,video size>1MiB added>=7d sort:size-desc limit:100`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompletion(b *testing.B) {
	const src = `(artist:* | "my tag") cat -dog type:image,vi`
	b.ReportAllocs()
	for b.Loop() {
		Completion(src, len(src))
	}
}
