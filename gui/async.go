package gui

// background runs work on its own goroutine (library calls never run on the UI
// goroutine) and hands the outcome to done through do, which runs it on the UI
// goroutine (fyne.Do in the app; the test's own goroutine in unit tests).
func background[T any](do func(func()), work func() (T, error), done func(T, error)) {
	go func() {
		v, err := work()
		do(func() { done(v, err) })
	}()
}
