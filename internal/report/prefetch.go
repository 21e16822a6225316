package report

import (
	"sync"

	"github.com/solarview/solarview/internal/battery"
)

// prefetchBatch is how many intervals travel together from the reading
// goroutine to the simulation: a few hours to days of data, small enough to
// keep memory flat, large enough that the channel costs nothing per
// interval.
const (
	prefetchBatch   = 2048
	prefetchBatches = 4
)

// prefetch reads a [battery.Source] on a goroutine of its own, a few
// batches ahead of the consumer.
//
// Without it the client reads a batch of rows, then simulates and prices
// them while PostgreSQL, its socket buffer full, waits; with it the server
// keeps producing rows while the client computes, so a report costs about
// the larger of the two rather than their sum. Memory stays a fixed few
// batches.
type prefetch struct {
	full chan []battery.Interval // filled batches, closed at the end
	free chan []battery.Interval // emptied batches, for reuse
	stop chan struct{}
	wg   sync.WaitGroup
	err  error // the source's error; read only after full is closed

	cur   []battery.Interval
	i     int
	ended bool // the consumer saw full closed, so err may be read
}

func newPrefetch(src battery.Source) *prefetch {
	p := &prefetch{
		full: make(chan []battery.Interval, prefetchBatches),
		free: make(chan []battery.Interval, prefetchBatches+2),
		stop: make(chan struct{}),
	}
	p.wg.Add(1)
	go p.produce(src)
	return p
}

func (p *prefetch) produce(src battery.Source) {
	defer p.wg.Done()
	defer close(p.full)
	for {
		select {
		case <-p.stop:
			return
		default:
		}
		var buf []battery.Interval
		select {
		case buf = <-p.free:
			buf = buf[:0]
		default:
			buf = make([]battery.Interval, 0, prefetchBatch)
		}
		var iv battery.Interval
		for len(buf) < prefetchBatch && src.Next(&iv) {
			buf = append(buf, iv)
		}
		if len(buf) > 0 {
			select {
			case p.full <- buf:
			case <-p.stop:
				return
			}
		}
		if len(buf) < prefetchBatch {
			p.err = src.Err()
			return
		}
	}
}

// Next implements [battery.Source].
func (p *prefetch) Next(iv *battery.Interval) bool {
	if p.i == len(p.cur) {
		if p.cur != nil {
			select {
			case p.free <- p.cur:
			default:
			}
		}
		var ok bool
		p.cur, ok = <-p.full
		p.i = 0
		if !ok {
			p.cur, p.ended = nil, true
			return false
		}
	}
	*iv = p.cur[p.i]
	p.i++
	return true
}

// Err implements [battery.Source]. Before the end of the data it is nil
// (the reader is still going); after it, the source's own error.
func (p *prefetch) Err() error {
	if !p.ended {
		return nil
	}
	return p.err
}

// close stops the reading goroutine and waits for it, so the underlying
// rows are no longer touched. Safe to call after the end of the data.
func (p *prefetch) close() {
	close(p.stop)
	for range p.full {
		// Unblock a producer waiting to hand over a batch.
	}
	p.wg.Wait()
}
