package filing

import "testing"

// BenchmarkControlCharacters: the control-character check a batch import
// runs on every filing, against the baseline of parsing the built-in pack
// for each call (what it did when a 3,000-row import took 16 s).
func BenchmarkControlCharacters(b *testing.B) {
	a := completeApp()
	a.Subject.Name = "杭州\x1b]0;x\x07示例科技有限公司"
	b.Run("ControlCharacters", func(b *testing.B) {
		for b.Loop() {
			if len(ControlCharacters(a)) != 1 {
				b.Fatal("the escape was not found")
			}
		}
	})
	b.Run("baseline-pack-per-call", func(b *testing.B) {
		for b.Loop() {
			v := validator{app: a, pack: DefaultPack()}
			v.controlCharacters()
			if len(v.out) != 1 {
				b.Fatal("the escape was not found")
			}
		}
	})
}
