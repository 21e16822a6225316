package tariff

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/solarview/solarview/models"
)

// A plan is the JSON `solarview tariff add --file` reads, modelled on the
// Australian Consumer Data Right (CDR) energy-plan schema but flattened to
// what solarview prices. README.md documents it; in short:
//
//	{
//	  "displayName": "Sample time of use",           // optional, informative
//	  "dailySupplyCharge": 1.10,                     // per day
//	  "rates": [{"unitPrice": 0.30}],                // flat usage, per kWh
//	  "timeOfUseRates": [{"displayName": "Peak", "unitPrice": 0.55,
//	      "days": ["MON","TUE","WED","THU","FRI"], "startTime": "14:00", "endTime": "20:00"}],
//	  "solarFeedInTariff": [{"unitPrice": 0.05}],   // flat or with days/times
//	  "demandCharges": [{"amount": 0.25, "startTime": "15:00", "endTime": "21:00",
//	      "measurementPeriod": "BILLING_PERIOD"}],
//	  "tariffPeriod": [{"displayName": "Summer", "startDate": "11-01", "endDate": "03-31",
//	      "timeOfUseRates": [...], "rates": [...], "solarFeedInTariff": [...], "demandCharges": [...]}],
//	  "controlledLoad": {"dailySupplyCharge": 0.05, "rates": [{"unitPrice": 0.15}]}
//	}
//
// Rate lists at the top level apply all year; inside a tariffPeriod they
// apply in its season only. A rate with several windows may list them in
// "timeOfUse": [{"days", "startTime", "endTime"}, ...] as CDR does.
// controlledLoad prices the site's controlled-load channel: a supply charge
// of its own, and "rates" (flat or stepped) or "timeOfUseRates" that may
// leave hours out (controlled load metered then is priced at the general
// rates).

// PlanError is a problem in a plan, at a JSON path such as
// $.timeOfUseRates[1].startTime.
type PlanError struct {
	Path string
	Msg  string
}

func (e *PlanError) Error() string { return e.Path + ": " + e.Msg }

func planErr(path, format string, args ...any) error {
	return &PlanError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// ParsePlan reads a plan and returns its components, each checked on its
// own; the caller checks the tariff as a whole ([Tariff.Validate]). Errors
// are a [*PlanError] naming the JSON path of the problem, or a syntax error
// with its line and column.
func ParsePlan(data []byte) ([]Component, error) {
	root, err := decodePlan(data)
	if err != nil {
		return nil, err
	}
	p := newPlanParser(root)
	if err := p.plan("$", root); err != nil {
		return nil, err
	}
	return p.comps, nil
}

// syntaxError places a JSON syntax error at its line and column.
func syntaxError(data []byte, err error) error {
	var se *json.SyntaxError
	offset := int64(-1) // 0-based index of the offending byte
	if errors.As(err, &se) {
		offset = se.Offset - 1 // Offset counts the bytes read, the bad one included
	} else if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		offset = int64(len(data))
	}
	if offset < 0 {
		return fmt.Errorf("not valid JSON: %w", err)
	}
	before := data[:min(int(offset), len(data))]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(offset) - bytes.LastIndexByte(before, '\n') // 1-based
	msg := err.Error()
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		msg = "unexpected end of file"
	}
	return fmt.Errorf("line %d, column %d: not valid JSON: %s", line, col, msg)
}

type planParser struct {
	comps []Component
	// aware tells, per list key, whether the plan's windows of that kind
	// name public holidays (see applyDays).
	aware map[string]bool
}

// newPlanParser starts reading root, a decoded plan of solarview's own
// format.
func newPlanParser(root any) *planParser {
	return &planParser{aware: holidayAwareness(root,
		[]string{"rates", "timeOfUseRates"}, []string{"solarFeedInTariff"}, []string{"demandCharges"})}
}

// holidayAwareness finds, for each kind of list (keys naming the lists of
// one kind), whether any of its windows anywhere in root names public
// holidays. It does not look inside a "controlledLoad" below root:
// controlled-load windows are a kind of their own, and a holiday rate there
// says nothing of the general rates' holidays, so callers ask about that
// part on its own.
func holidayAwareness(root any, kinds ...[]string) map[string]bool {
	out := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "controlledLoad" {
					continue
				}
				for _, kind := range kinds {
					for _, key := range kind {
						if k == key && namesHolidays(x) {
							for _, key := range kind {
								out[key] = true
							}
						}
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(root)
	return out
}

// season is a tariffPeriod's MM-DD range; nil pointers for all year.
type season struct{ start, end *string }

var (
	planKeys    = []string{"displayName", "description", "dailySupplyCharge", "rates", "period", "timeOfUseRates", "solarFeedInTariff", "demandCharges", "tariffPeriod", "controlledLoad"}
	clKeys      = []string{"displayName", "dailySupplyCharge", "rates", "period", "timeOfUseRates"}
	periodKeys  = []string{"displayName", "startDate", "endDate", "startMonth", "endMonth", "rates", "period", "timeOfUseRates", "solarFeedInTariff", "demandCharges"}
	rateKeys    = []string{"displayName", "type", "unitPrice", "days", "startTime", "endTime", "timeOfUse"}
	flatKeys    = []string{"unitPrice", "volume", "measureUnit"}
	demandKeys  = []string{"displayName", "amount", "days", "startTime", "endTime", "timeOfUse", "measurementPeriod"}
	windowKeys  = []string{"days", "startTime", "endTime"}
	dayNumbers  = map[string]int16{"MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6, "SUN": 7}
	dayListText = "MON, TUE, WED, THU, FRI, SAT, SUN"
)

func (p *planParser) plan(path string, v any) error {
	obj, err := object(path, v, planKeys)
	if err != nil {
		return err
	}
	if _, err := optString(path, obj, "displayName"); err != nil {
		return err
	}
	if _, err := optString(path, obj, "description"); err != nil {
		return err
	}
	if err := p.supplyCharge(path, obj); err != nil {
		return err
	}
	if err := p.rateLists(path, obj, season{}); err != nil {
		return err
	}
	periods, err := optArray(path, obj, "tariffPeriod")
	if err != nil {
		return err
	}
	for i, raw := range periods {
		if err := p.tariffPeriod(fmt.Sprintf("%s.tariffPeriod[%d]", path, i), raw); err != nil {
			return err
		}
	}
	if raw, ok := obj["controlledLoad"]; ok {
		return p.controlledLoad(path+".controlledLoad", raw)
	}
	return nil
}

// supplyCharge reads obj's dailySupplyCharge, if it has one: the plan's own,
// or its controlled-load circuit's.
func (p *planParser) supplyCharge(path string, obj map[string]any) error {
	raw, ok := obj["dailySupplyCharge"]
	if !ok {
		return nil
	}
	amount, err := moneyValue(path+".dailySupplyCharge", raw)
	if err != nil {
		return err
	}
	c := &DailySupplyCharge{}
	c.Amount = amount
	return p.add(path+".dailySupplyCharge", c)
}

// controlledLoad reads the plan's controlled-load circuit: its supply
// charge and rates, read as the plan's own are, all year.
func (p *planParser) controlledLoad(path string, v any) error {
	obj, err := object(path, v, clKeys)
	if err != nil {
		return err
	}
	if _, err := optString(path, obj, "displayName"); err != nil {
		return err
	}
	start := len(p.comps)
	if err := p.supplyCharge(path, obj); err != nil {
		return err
	}
	general := p.aware
	p.aware = holidayAwareness(obj, []string{"rates", "timeOfUseRates"})
	err = p.rateLists(path, obj, season{})
	p.aware = general
	if err != nil {
		return err
	}
	if len(p.comps) == start {
		return planErr(path, "give the controlled load a dailySupplyCharge, rates or timeOfUseRates")
	}
	for _, c := range p.comps[start:] {
		setControlledLoad(c)
	}
	return nil
}

func (p *planParser) tariffPeriod(path string, v any) error {
	obj, err := object(path, v, append(periodKeys, "dailySupplyCharge"))
	if err != nil {
		return err
	}
	if _, ok := obj["dailySupplyCharge"]; ok {
		return planErr(path+".dailySupplyCharge", "supply charges cannot vary by season: give it at the top level")
	}
	if _, err := optString(path, obj, "displayName"); err != nil {
		return err
	}
	s, err := seasonOf(path, obj)
	if err != nil {
		return err
	}
	return p.rateLists(path, obj, s)
}

// seasonOf reads startDate/endDate ("MM-DD") or startMonth/endMonth (1-12),
// both inclusive.
func seasonOf(path string, obj map[string]any) (season, error) {
	_, hasDates := obj["startDate"]
	_, hasEndDate := obj["endDate"]
	_, hasMonths := obj["startMonth"]
	_, hasEndMonth := obj["endMonth"]
	switch {
	case (hasDates || hasEndDate) && (hasMonths || hasEndMonth):
		return season{}, planErr(path, "give startDate/endDate or startMonth/endMonth, not both")
	case hasDates || hasEndDate:
		var s [2]string
		for i, key := range []string{"startDate", "endDate"} {
			raw, ok := obj[key]
			if !ok {
				return season{}, planErr(path, "%s is missing", key)
			}
			str, ok := raw.(string)
			if !ok {
				return season{}, planErr(path+"."+key, "want a \"MM-DD\" string, got %s", describeJSON(raw))
			}
			if _, err := ParseMonthDay(str); err != nil {
				return season{}, planErr(path+"."+key, "%q is not a MM-DD day", str)
			}
			s[i] = str
		}
		return season{start: &s[0], end: &s[1]}, nil
	case hasMonths || hasEndMonth:
		var m [2]int
		for i, key := range []string{"startMonth", "endMonth"} {
			raw, ok := obj[key]
			if !ok {
				return season{}, planErr(path, "%s is missing", key)
			}
			n, ok := raw.(json.Number)
			v, err := n.Int64()
			if !ok || err != nil || v < 1 || v > 12 {
				return season{}, planErr(path+"."+key, "want a month number 1-12, got %s", describeJSON(raw))
			}
			m[i] = int(v)
		}
		start := fmt.Sprintf("%02d-01", m[0])
		end := fmt.Sprintf("%02d-%02d", m[1], daysIn(time.Month(m[1])))
		return season{start: &start, end: &end}, nil
	}
	return season{}, planErr(path, "a tariffPeriod needs startDate and endDate (\"MM-DD\") or startMonth and endMonth")
}

// rateLists reads the rate lists of the plan or of one tariffPeriod.
func (p *planParser) rateLists(path string, obj map[string]any, s season) error {
	flat, err := optArray(path, obj, "rates")
	if err != nil {
		return err
	}
	if flat != nil {
		period := "P1Y"
		if raw, ok := obj["period"]; ok {
			str, _ := raw.(string)
			if _, err := PeriodDays(str); err != nil {
				return planErr(path+".period", "%s is not an ISO 8601 duration of days, weeks, months or years (P1D, P3M, P1Y)", describeJSON(raw))
			}
			period = str
		}
		c, err := rateBlock(path+".rates", flat, "", models.TariffWindow{SeasonStart: s.start, SeasonEnd: s.end}, period, flatKeys)
		if err != nil {
			return err
		}
		if err := p.add(path+".rates", c); err != nil {
			return err
		}
	} else if _, ok := obj["period"]; ok {
		return planErr(path+".period", "a block period without rates")
	}
	lists := []struct {
		key  string
		make func(label string, price models.Money, w models.TariffWindow) Component
	}{
		{"timeOfUseRates", func(label string, price models.Money, w models.TariffWindow) Component {
			c := &UsageRate{}
			c.Label, c.Rate, c.TariffWindow = label, price, w
			return c
		}},
		{"solarFeedInTariff", func(label string, price models.Money, w models.TariffWindow) Component {
			c := &FeedInRate{}
			c.Label, c.Rate, c.TariffWindow = label, price, w
			return c
		}},
	}
	for _, l := range lists {
		entries, err := optArray(path, obj, l.key)
		if err != nil {
			return err
		}
		for i, raw := range entries {
			ipath := fmt.Sprintf("%s.%s[%d]", path, l.key, i)
			r, err := object(ipath, raw, rateKeys)
			if err != nil {
				return err
			}
			label, err := labelOf(ipath, r)
			if err != nil {
				return err
			}
			price, err := requiredMoney(ipath, r, "unitPrice")
			if err != nil {
				return err
			}
			windows, err := windowsOf(ipath, r, s, p.aware[l.key])
			if err != nil {
				return err
			}
			for _, w := range windows {
				if err := p.add(w.path, l.make(label, price, w.w)); err != nil {
					return err
				}
			}
		}
	}
	demands, err := optArray(path, obj, "demandCharges")
	if err != nil {
		return err
	}
	for i, raw := range demands {
		ipath := fmt.Sprintf("%s.demandCharges[%d]", path, i)
		r, err := object(ipath, raw, demandKeys)
		if err != nil {
			return err
		}
		label, err := labelOf(ipath, r)
		if err != nil {
			return err
		}
		amount, err := requiredMoney(ipath, r, "amount")
		if err != nil {
			return err
		}
		over := models.DemandOverBillingPeriod
		if raw, ok := r["measurementPeriod"]; ok {
			switch raw {
			case "BILLING_PERIOD":
			case "DAY":
				over = models.DemandOverDay
			default:
				return planErr(ipath+".measurementPeriod", "%s is not DAY or BILLING_PERIOD", describeJSON(raw))
			}
		}
		windows, err := windowsOf(ipath, r, s, p.aware["demandCharges"])
		if err != nil {
			return err
		}
		for _, w := range windows {
			c := &DemandCharge{}
			c.Label, c.Rate, c.MeasuredOver, c.TariffWindow = label, amount, over, w.w
			if err := p.add(w.path, c); err != nil {
				return err
			}
		}
	}
	return nil
}

// add validates c and keeps it; an invalid component is reported at path.
func (p *planParser) add(path string, c Component) error {
	if err := c.Validate(); err != nil {
		return planErr(path, "%v", err)
	}
	p.comps = append(p.comps, c)
	return nil
}

func labelOf(path string, r map[string]any) (string, error) {
	label, err := optString(path, r, "displayName")
	if err != nil {
		return "", err
	}
	typ, err := optString(path, r, "type")
	if err != nil {
		return "", err
	}
	if label == "" {
		label = typ
	}
	return label, nil
}

type pathWindow struct {
	path string
	w    models.TariffWindow
}

// windowsOf reads an entry's window (days/startTime/endTime on the entry
// itself) or windows (a timeOfUse list), each with the season applied.
func windowsOf(path string, r map[string]any, s season, aware bool) ([]pathWindow, error) {
	list, err := optArray(path, r, "timeOfUse")
	if err != nil {
		return nil, err
	}
	if list != nil {
		for _, k := range windowKeys {
			if _, ok := r[k]; ok {
				return nil, planErr(path+"."+k, "give the window either here or in timeOfUse, not both")
			}
		}
		if len(list) == 0 {
			return nil, planErr(path+".timeOfUse", "empty list")
		}
		out := make([]pathWindow, 0, len(list))
		for i, raw := range list {
			wpath := fmt.Sprintf("%s.timeOfUse[%d]", path, i)
			obj, err := object(wpath, raw, windowKeys)
			if err != nil {
				return nil, err
			}
			w, err := windowOf(wpath, obj, s, aware)
			if err != nil {
				return nil, err
			}
			out = append(out, pathWindow{wpath, w})
		}
		return out, nil
	}
	w, err := windowOf(path, r, s, aware)
	if err != nil {
		return nil, err
	}
	return []pathWindow{{path, w}}, nil
}

func windowOf(path string, obj map[string]any, s season, holidayAware bool) (models.TariffWindow, error) {
	w := models.TariffWindow{SeasonStart: s.start, SeasonEnd: s.end}
	if raw, ok := obj["days"]; ok {
		days, listed, err := parseDays(path+".days", raw)
		if err != nil {
			return w, err
		}
		applyDays(&w, days, listed, holidayAware)
	}
	_, hasStart := obj["startTime"]
	_, hasEnd := obj["endTime"]
	if hasStart != hasEnd {
		missing := "endTime"
		if hasEnd {
			missing = "startTime"
		}
		return w, planErr(path, "%s is missing: give startTime and endTime, or neither for all day", missing)
	}
	if hasStart {
		var times [2]models.ClockTime
		for i, key := range []string{"startTime", "endTime"} {
			raw := obj[key]
			str, ok := raw.(string)
			if !ok {
				return w, planErr(path+"."+key, "want a \"HH:MM\" string, got %s", describeJSON(raw))
			}
			t, err := parsePlanTime(str, key == "endTime")
			if err != nil {
				return w, planErr(path+"."+key, "%q is not a time", str)
			}
			times[i] = t
		}
		if times[0] == models.Midnight24 {
			return w, planErr(path+".startTime", "a window cannot start at 24:00; use 00:00")
		}
		if times[0] == times[1] {
			return w, planErr(path+".endTime", "%q is also the start time; leave both out for all day", obj["endTime"])
		}
		w.StartTime, w.EndTime = &times[0], &times[1]
	}
	return w, nil
}

// object checks v is a JSON object with only the allowed keys.
func object(path string, v any, allowed []string) (map[string]any, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, planErr(path, "want an object, got %s", describeJSON(v))
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		known := false
		for _, a := range allowed {
			known = known || a == k
		}
		if !known {
			return nil, planErr(path+"."+k, "unknown field (known here: %s)", strings.Join(allowed, ", "))
		}
	}
	return obj, nil
}

// optString reads an optional string; null counts as absent, as CDR
// documents write optional fields.
func optString(path string, obj map[string]any, key string) (string, error) {
	raw, ok := obj[key]
	if !ok || raw == nil {
		return "", nil
	}
	s, ok := raw.(string)
	if !ok {
		return "", planErr(path+"."+key, "want a string, got %s", describeJSON(raw))
	}
	return s, nil
}

// optArray reads an optional list; null counts as absent.
func optArray(path string, obj map[string]any, key string) ([]any, error) {
	raw, ok := obj[key]
	if !ok || raw == nil {
		return nil, nil
	}
	a, ok := raw.([]any)
	if !ok {
		return nil, planErr(path+"."+key, "want a list, got %s", describeJSON(raw))
	}
	return a, nil
}

func requiredMoney(path string, obj map[string]any, key string) (models.Money, error) {
	raw, ok := obj[key]
	if !ok {
		return 0, planErr(path, "%s is missing", key)
	}
	return moneyValue(path+"."+key, raw)
}

// moneyValue reads a price given as a JSON number or a decimal string (CDR
// writes prices as strings), exactly.
func moneyValue(path string, raw any) (models.Money, error) {
	var text string
	switch v := raw.(type) {
	case json.Number:
		text = v.String()
	case string:
		text = v
	default:
		return 0, planErr(path, "want an amount (a number such as 0.30), got %s", describeJSON(raw))
	}
	m, err := models.ParseMoney(strings.TrimSpace(text))
	if err != nil {
		return 0, planErr(path, "%q is not an amount: %v", text, unwrapQuoted(err, text))
	}
	return m, nil
}

// unwrapQuoted drops ParseMoney's own quoting of the text from its message.
func unwrapQuoted(err error, text string) string {
	return strings.TrimPrefix(err.Error(), fmt.Sprintf("%q ", text))
}

// describeJSON shows a decoded JSON value in an error message.
func describeJSON(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q", v)
	case json.Number:
		return v.String()
	case bool:
		return fmt.Sprint(v)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%v", v)
}

// parsePlanTime reads a window's "HH:MM", "HH:MM:SS" or "HHMM" time. CDR
// plans name a window's last minute or second ("20:59", "23:59:59") where
// solarview's windows end exclusively, so an end in minute 59 with no
// seconds, or at second 59 of minute 59, runs through it: "20:59" ends at
// 21:00.
func parsePlanTime(s string, end bool) (models.ClockTime, error) {
	if len(s) == 4 && !strings.Contains(s, ":") {
		s = s[:2] + ":" + s[2:]
	}
	t, err := models.ParseClockTime(s)
	if err != nil {
		return 0, err
	}
	if end {
		switch {
		case t%3600 == 59*60:
			t += 60
		case t%3600 == 3599:
			t++
		}
	}
	return t, nil
}

// parseDays reads a CDR days list: weekdays (ISO numbers, sorted) and
// whether it names PUBLIC_HOLIDAYS.
func parseDays(path string, raw any) ([]int16, bool, error) {
	days, ok := raw.([]any)
	if !ok || len(days) == 0 {
		return nil, false, planErr(path, "want a non-empty list of days (%s, PUBLIC_HOLIDAYS), got %s", dayListText, describeJSON(raw))
	}
	var out []int16
	holidays := false
	seen := map[int16]bool{}
	for i, d := range days {
		dpath := fmt.Sprintf("%s[%d]", path, i)
		name, _ := d.(string)
		n, ok := dayNumbers[strings.ToUpper(name)]
		switch {
		case strings.EqualFold(name, "PUBLIC_HOLIDAYS"):
			if holidays {
				return nil, false, planErr(dpath, "%q is listed twice", name)
			}
			holidays = true
			continue
		case !ok:
			return nil, false, planErr(dpath, "%s is not a day (%s, PUBLIC_HOLIDAYS)", describeJSON(d), dayListText)
		case seen[n]:
			return nil, false, planErr(dpath, "%q is listed twice", name)
		}
		seen[n] = true
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, holidays, nil
}

// applyDays sets a window's weekdays and public-holiday rule from a days
// list. In a plan none of whose windows of this kind (usage, feed-in,
// demand) names public holidays, a holiday is a day of its weekday. Once one
// does, public holidays are days of their own for that kind: a window that
// lists PUBLIC_HOLIDAYS applies on every holiday, one that lists weekdays
// without it applies on none, as a plan with a holiday rate means.
func applyDays(w *models.TariffWindow, days []int16, listed, aware bool) {
	rule := func(r string) *string { return &r }
	w.Weekdays = days
	switch {
	case !aware:
		if listed && len(days) == 0 {
			w.Weekdays = nil
		}
	case listed && len(days) == 0:
		w.PublicHolidays = rule(models.HolidaysOnly)
	case listed:
		w.PublicHolidays = rule(models.HolidaysInclude)
	default:
		w.PublicHolidays = rule(models.HolidaysExclude)
	}
}

// namesHolidays reports whether a days list anywhere under v names
// PUBLIC_HOLIDAYS.
func namesHolidays(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		if days, ok := v["days"].([]any); ok {
			for _, d := range days {
				if s, ok := d.(string); ok && strings.EqualFold(s, "PUBLIC_HOLIDAYS") {
					return true
				}
			}
		}
		for _, x := range v {
			if namesHolidays(x) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if namesHolidays(x) {
				return true
			}
		}
	}
	return false
}

// rateBlock reads a list of rates "in order of usage volume", as CDR gives
// them: one rate is a [UsageRate]; several, each but the last with the
// volume (kWh per period) it covers, are a [BlockRate].
//
// known, when not nil, lists the only fields a rate may have.
func rateBlock(path string, list []any, label string, w models.TariffWindow, period string, known []string) (Component, error) {
	if len(list) == 0 {
		return nil, planErr(path, "empty list: give at least one rate")
	}
	var rates []models.Money
	var volumes []float64
	for i, raw := range list {
		ipath := fmt.Sprintf("%s[%d]", path, i)
		r, ok := raw.(map[string]any)
		if !ok {
			return nil, planErr(ipath, "want an object, got %s", describeJSON(raw))
		}
		if known != nil {
			if _, err := object(ipath, raw, known); err != nil {
				return nil, err
			}
		}
		if u, ok := r["measureUnit"]; ok && u != nil && u != "KWH" {
			return nil, planErr(ipath+".measureUnit", "%s: only rates per KWH are priced", describeJSON(u))
		}
		price, err := requiredMoney(ipath, r, "unitPrice")
		if err != nil {
			return nil, err
		}
		rates = append(rates, price)
		raw, hasVolume := r["volume"]
		if i == len(list)-1 {
			// The last block has no upper bound, whatever volume the
			// plan gives it.
			break
		}
		if !hasVolume {
			return nil, planErr(ipath, "volume is missing: every rate but the last of a stepped list needs the kWh it covers")
		}
		n, ok := raw.(json.Number)
		v, err := n.Float64()
		if !ok || err != nil || !(v > 0) {
			return nil, planErr(ipath+".volume", "want a positive number of kWh, got %s", describeJSON(raw))
		}
		volumes = append(volumes, v)
	}
	if len(rates) == 1 {
		c := &UsageRate{}
		c.Label, c.Rate, c.TariffWindow = label, rates[0], w
		return c, nil
	}
	c := &BlockRate{}
	c.Label, c.Rates, c.VolumesKWh, c.Period, c.TariffWindow = label, rates, volumes, period, w
	return c, nil
}

// decodePlan reads one JSON document, numbers kept as written (prices are
// decimals, never floats), refusing anything after it.
func decodePlan(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, syntaxError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, planErr("$", "unexpected data after the plan object")
	}
	return root, nil
}
