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
	RatioFloor(b, target, subject, baseline, nil)
}

// RatioFloor is Ratio with a second baseline, floor: the least work the
// subject cannot avoid beyond the baseline (for Test all with the real
// keyring: the bare POSTs plus one Secret Service read and one write per
// profile). It reports floor-ms and x-floor besides; nil leaves them out.
func RatioFloor(b *testing.B, target float64, subject, baseline, floor func()) {
	b.Helper()
	var sub, base, fl time.Duration
	for b.Loop() {
		t0 := time.Now()
		baseline()
		t1 := time.Now()
		if floor != nil {
			floor()
		}
		t2 := time.Now()
		subject()
		sub += time.Since(t2)
		base += t1.Sub(t0)
		fl += t2.Sub(t1)
	}
	n := float64(b.N)
	b.ReportMetric(sub.Seconds()*1000/n, "subject-ms")
	b.ReportMetric(base.Seconds()*1000/n, "baseline-ms")
	b.ReportMetric(sub.Seconds()/base.Seconds(), "x-baseline")
	b.ReportMetric(target, "target-x")
	if floor != nil {
		b.ReportMetric(fl.Seconds()*1000/n, "floor-ms")
		b.ReportMetric(sub.Seconds()/fl.Seconds(), "x-floor")
	}
}
