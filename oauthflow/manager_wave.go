package oauthflow

import (
	"context"
	"sync"

	"github.com/credworkbench/credworkbench/credentials"
)

// TestAll tests ps with bounded concurrency; results are in the order of
// ps. The bound applies to requests to IdPs: a worker moves on once its
// token request is answered, while the bookkeeping is written in batches;
// TestAll returns when all of it is written.
func (m *Manager) TestAll(ctx context.Context, ps []credentials.Profile, concurrency int) []Result {
	jobs := make([]liveJob, len(ps))
	for i, p := range ps {
		jobs[i] = liveJob{p: p, kind: EventTested, mode: fetchForce}
	}
	return m.runAll(ctx, jobs, concurrency)
}

// liveJob is one fetch of a wave (TestAll, BringLive).
type liveJob struct {
	p    credentials.Profile
	kind EventKind
	mode fetchMode
}

// runAll runs the fetches of jobs, at most concurrency at a time, and
// records their outcomes in a few batches (recordBatch), so a wave over
// 1,000 profiles writes the state file ≤ maxBatchWrites times rather than
// once per profile. Results are in the order of jobs; one that could not
// start or that ctx ended is a cancelled failure.
func (m *Manager) runAll(ctx context.Context, jobs []liveJob, concurrency int) []Result {
	if concurrency <= 0 {
		concurrency = DefaultTestAllConcurrency
	}
	results := make([]Result, len(jobs))
	flights := make([]*flight, len(jobs))
	sem := make(chan struct{}, concurrency)
	batch := newRecordBatch(m, len(jobs))
	var wg sync.WaitGroup
	cancelled := func(p credentials.Profile, err error) Result {
		return failedResult(p, &Failure{Category: CatCancelled, Message: "cancelled", Err: err}, nil, m.s.Clock.Now())
	}
	for i, j := range jobs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			results[i] = cancelled(j.p, ctx.Err())
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			fl, err := m.startIn(j.p, j.kind, j.mode, batch)
			if err != nil {
				results[i] = cancelled(j.p, err)
				return
			}
			select {
			case <-fl.fetched:
				flights[i] = fl
			case <-ctx.Done():
				results[i] = cancelled(j.p, ctx.Err())
			}
		}()
	}
	wg.Wait()
	if ctx.Err() == nil {
		batch.open.Wait() // every outcome is queued
	}
	batch.close()
	for i, fl := range flights {
		if fl == nil {
			continue
		}
		select {
		case <-fl.done:
			results[i] = withRecordWarning(fl.res, fl.recordErr)
		case <-ctx.Done():
			results[i] = fl.res
		}
	}
	return results
}
