package tests

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	installOnce sync.Once
	installDest string
	installOut  []byte
	installErr  error
)

// installed runs `make install DESTDIR=… PREFIX=/usr` once per test process and
// returns the DESTDIR.
func installed(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	installOnce.Do(func() {
		installDest, installErr = os.MkdirTemp("", "hoard-install-")
		if installErr != nil {
			return
		}
		cleanups = append(cleanups, installDest)
		cmd := exec.Command("make", "install", "DESTDIR="+installDest, "PREFIX=/usr")
		cmd.Dir = repoRoot()
		installOut, installErr = cmd.CombinedOutput()
	})
	if installErr != nil {
		t.Fatalf("make install: %v\n%s", installErr, installOut)
	}
	return installDest
}

type polkitPolicy struct {
	Actions []struct {
		ID       string `xml:"id,attr"`
		Defaults struct {
			Any      string `xml:"allow_any"`
			Inactive string `xml:"allow_inactive"`
			Active   string `xml:"allow_active"`
		} `xml:"defaults"`
		Annotate []struct {
			Key   string `xml:"key,attr"`
			Value string `xml:",chardata"`
		} `xml:"annotate"`
	} `xml:"action"`
}

func TestInstallLayout(t *testing.T) {
	dest := installed(t)
	for _, p := range []struct {
		path string
		mode os.FileMode
	}{
		{"/usr/bin/hoard", 0o755},
		{"/usr/bin/hoard-gui", 0o755},
		{"/usr/libexec/hoard-tracker", 0o755},
		{"/usr/share/polkit-1/actions/app.hoard.tracker.policy", 0o644},
		{"/usr/share/polkit-1/rules.d/50-app.hoard.tracker.rules", 0o644},
		{"/usr/share/applications/app.hoard.Hoard.desktop", 0o644},
		{"/usr/share/icons/hicolor/256x256/apps/app.hoard.Hoard.png", 0o644},
		{"/usr/share/icons/hicolor/scalable/apps/app.hoard.Hoard.svg", 0o644},
	} {
		st, err := os.Stat(filepath.Join(dest, p.path))
		if err != nil {
			t.Errorf("not installed: %v", err)
			continue
		}
		if st.Mode().Perm() != p.mode {
			t.Errorf("%s has mode %v, want %v", p.path, st.Mode().Perm(), p.mode)
		}
	}
	if os.Geteuid() == 0 {
		st, _ := os.Stat(filepath.Join(dest, "/usr/libexec/hoard-tracker"))
		if uid := statUID(st); uid != 0 {
			t.Errorf("hoard-tracker is owned by uid %d, want root", uid)
		}
	}
}

func TestPolkitPolicy(t *testing.T) {
	dest := installed(t)
	raw, err := os.ReadFile(filepath.Join(dest, "/usr/share/polkit-1/actions/app.hoard.tracker.policy"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "allow_gui") {
		t.Error("the policy must not set org.freedesktop.policykit.exec.allow_gui: the helper opens no window")
	}
	if strings.Contains(string(raw), "@HELPER@") {
		t.Error("the helper path was not substituted")
	}
	var p polkitPolicy
	if err := xml.Unmarshal(raw, &p); err != nil {
		t.Fatalf("policy is not valid XML: %v", err)
	}
	if len(p.Actions) != 1 || p.Actions[0].ID != "app.hoard.tracker" {
		t.Fatalf("actions: %+v", p.Actions)
	}
	a := p.Actions[0]
	if a.Defaults.Any != "no" || a.Defaults.Inactive != "no" || a.Defaults.Active != "auth_admin_keep" {
		t.Errorf("defaults %+v: want no for remote and inactive sessions, auth_admin_keep for active ones", a.Defaults)
	}
	execPath := ""
	for _, an := range a.Annotate {
		if an.Key == "org.freedesktop.policykit.exec.path" {
			execPath = strings.TrimSpace(an.Value)
		}
	}
	if execPath != "/usr/libexec/hoard-tracker" {
		t.Errorf("exec.path = %q, want the installed helper", execPath)
	}
	// The group rule is JavaScript run by polkitd; check its syntax where node exists.
	if node, err := exec.LookPath("node"); err == nil {
		rules := filepath.Join(dest, "/usr/share/polkit-1/rules.d/50-app.hoard.tracker.rules")
		js := filepath.Join(t.TempDir(), "rules.js")
		body, _ := os.ReadFile(rules)
		os.WriteFile(js, body, 0o644)
		if out, err := exec.Command(node, "--check", js).CombinedOutput(); err != nil {
			t.Errorf("polkit rule is not valid JavaScript: %v\n%s", err, out)
		}
		// And its logic: only active, local members of the hoard group.
		sim := `var rule; var polkit = {Result: {YES: "yes", NOT_HANDLED: null}, addRule: function (f) { rule = f; }};
` + string(body) + `
function s(local, active, group) { return {local: local, active: active, isInGroup: function (g) { return group && g === "hoard"; }}; }
var a = {id: "app.hoard.tracker"};
var got = [rule(a, s(true, true, true)), rule(a, s(false, true, true)), rule(a, s(true, false, true)), rule(a, s(true, true, false)), rule({id: "other"}, s(true, true, true))];
if (JSON.stringify(got) !== JSON.stringify(["yes", null, null, null, null])) { console.log(JSON.stringify(got)); process.exit(1); }
`
		os.WriteFile(js, []byte(sim), 0o644)
		if out, err := exec.Command(node, js).CombinedOutput(); err != nil {
			t.Errorf("polkit rule grants the wrong subjects: %v\n%s", err, out)
		}
	}
}

func TestDesktopEntry(t *testing.T) {
	validate, err := exec.LookPath("desktop-file-validate")
	if err != nil {
		t.Skip("desktop-file-validate is not installed (apt-get install desktop-file-utils)")
	}
	dest := installed(t)
	entry := filepath.Join(dest, "/usr/share/applications/app.hoard.Hoard.desktop")
	if out, err := exec.Command(validate, entry).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("desktop-file-validate: %v\n%s", err, out)
	}
	body, _ := os.ReadFile(entry)
	for _, want := range []string{"Exec=/usr/bin/hoard-gui", "Icon=app.hoard.Hoard", "StartupWMClass=Hoard"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("desktop entry lacks %q", want)
		}
	}
}
