package testenv

import (
	"testing"
	"time"
)

// Ratio runs baseline and then subject once per benchmark iteration and
// reports both times and their ratio (x-baseline), so every ratio of
// `make bench` comes with the baseline measured in the same run, under the
// same load. target is the bound on the ratio, printed alongside.
func Ratio(b *testing.B, target float64, subject, baseline func()) {
	b.Helper()
	var sub, base time.Duration
	for b.Loop() {
		t0 := time.Now()
		baseline()
		t1 := time.Now()
		subject()
		sub += time.Since(t1)
		base += t1.Sub(t0)
	}
	n := float64(b.N)
	b.ReportMetric(sub.Seconds()*1000/n, "subject-ms")
	b.ReportMetric(base.Seconds()*1000/n, "baseline-ms")
	b.ReportMetric(sub.Seconds()/base.Seconds(), "x-baseline")
	b.ReportMetric(target, "target-x")
}
