package tariff

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/solarview/solarview/models"
)

// Reading Consumer Data Right plans.
//
// Australian retailers publish every plan as an EnergyPlanDetail document
// (Consumer Data Standards, "Get Generic Plan Detail", v2 and v3). ReadPlan
// takes one as published, with or without its {"data": ...} envelope, and
// turns what a bill prices into components: supply, single and
// time-of-use usage rates (stepped when rates carry volumes), seasonal
// tariff periods, demand charges, solar feed-in (single and time-varying),
// controlled load (its single or time-of-use rates and its supply charge)
// and discounts that apply unconditionally or under a condition the user
// assumes. CDR prices exclude GST: charges get GST added, feed-in credits
// never. Everything else the document holds (fees, incentives, eligibility,
// green power, ...) is listed in Plan.Unpriced rather than dropped
// silently.

// Plan formats ReadPlan recognises.
const (
	FormatSolarview = "solarview plan"
	FormatCDR       = "CDR EnergyPlanDetail"
)

// Conditions a user may assume with `tariff add --assume`.
const (
	AssumePayOnTime     = "pay-on-time"
	AssumeDirectDebit   = "direct-debit"
	AssumePremiumFeedIn = "premium-feed-in"
)

// Assumptions lists the conditions --assume accepts.
var Assumptions = []string{AssumePayOnTime, AssumeDirectDebit, AssumePremiumFeedIn}

// PlanOptions are the user's answers to what a plan leaves open.
type PlanOptions struct {
	// GSTPercent, when set, is the GST rate in per cent added to every
	// charge (never to feed-in credits). nil means the format's default:
	// 10% for CDR plans, whose prices exclude GST; none for solarview's
	// own plans, whose prices are taken as given.
	GSTPercent *models.Money
	// Assume holds conditions the household meets (see [Assumptions]):
	// a conditional discount applies only when its condition is assumed.
	Assume []string
}

// Plan is a plan file read by [ReadPlan].
type Plan struct {
	Format string
	// Name and Retailer are what a CDR plan calls itself and its brand,
	// "" for solarview's own format.
	Name, Retailer string
	Components     []Component
	// GSTPercent is the GST added to the plan's charges, 0 for none.
	GSTPercent models.Money
	// Applied lists the assumptions that changed what is priced.
	Applied []string
	// Unpriced lists, one line each, what the plan holds that solarview
	// does not price.
	Unpriced []string
}

// ReadPlan reads a plan file, CDR or solarview's own format (a CDR document
// has an electricityContract, directly or under "data"), and returns its
// components with GST applied, each checked on its own; the caller checks
// the tariff as a whole ([Tariff.Validate]). Errors are a [*PlanError] with
// the JSON path of the problem, or a syntax error with its line and column.
func ReadPlan(data []byte, opts PlanOptions) (*Plan, error) {
	for _, a := range opts.Assume {
		if !contains(Assumptions, a) {
			return nil, fmt.Errorf("--assume %q: known conditions are %s", a, strings.Join(Assumptions, ", "))
		}
	}
	root, err := decodePlan(data)
	if err != nil {
		return nil, err
	}
	plan := &Plan{Format: FormatSolarview}
	if obj, ok := root.(map[string]any); ok && isCDR(obj) {
		plan.Format = FormatCDR
		err = readCDR(plan, obj, opts)
	} else {
		p := newPlanParser(root)
		err = p.plan("$", root)
		plan.Components = p.comps
	}
	if err != nil {
		return nil, err
	}
	gst := opts.GSTPercent
	if gst == nil && plan.Format == FormatCDR {
		ten := 10 * models.Unit
		gst = &ten
	}
	if gst != nil {
		if *gst < 0 || *gst > 100*models.Unit {
			return nil, fmt.Errorf("--gst %s%%: give a rate between 0%% and 100%%", *gst)
		}
		plan.GSTPercent = *gst
		AddGST(plan.Components, *gst)
	}
	return plan, nil
}

// isCDR recognises an EnergyPlanDetail document, enveloped or not.
func isCDR(obj map[string]any) bool {
	if d, ok := obj["data"].(map[string]any); ok {
		obj = d
	}
	_, contract := obj["electricityContract"]
	_, fuel := obj["fuelType"]
	_, id := obj["planId"]
	return contract || fuel || id
}

// AddGST adds gst per cent to every charge's prices. Feed-in rates are
// credits, paid without GST to households that are not registered for it,
// and discounts are shares: both stay as they are.
func AddGST(comps []Component, gst models.Money) {
	num := big.NewInt(int64(100*models.Unit + gst))
	den := big.NewInt(int64(100 * models.Unit))
	for _, c := range comps {
		switch c := c.(type) {
		case *DailySupplyCharge:
			c.Amount = scaleMoney(c.Amount, num, den)
		case *UsageRate:
			c.Rate = scaleMoney(c.Rate, num, den)
		case *BlockRate:
			for i := range c.Rates {
				c.Rates[i] = scaleMoney(c.Rates[i], num, den)
			}
		case *DemandCharge:
			c.Rate = scaleMoney(c.Rate, num, den)
		}
	}
}

// scaleMoney is m×num/den rounded to the nearest nano-unit (halves away
// from zero), exactly: a 0.2475 charge plus 10% GST is 0.27225.
func scaleMoney(m models.Money, num, den *big.Int) models.Money {
	r := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(int64(m)), num), den)
	f, _ := new(big.Float).SetRat(r).Float64()
	q := new(big.Int).Quo(r.Num(), r.Denom())
	rem := new(big.Rat).Sub(r, new(big.Rat).SetInt(q))
	half := big.NewRat(1, 2)
	switch {
	case f >= 0 && rem.Cmp(half) >= 0:
		q.Add(q, big.NewInt(1))
	case f < 0 && rem.Cmp(new(big.Rat).Neg(half)) <= 0:
		q.Sub(q, big.NewInt(1))
	}
	return models.Money(q.Int64())
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// cdrReader walks one CDR document.
type cdrReader struct {
	plan   *Plan
	assume []string
	// nem is the contract's time zone: AEST (NEM time, the default) or
	// LOCAL.
	nem   bool
	aware map[string]bool
}

func readCDR(plan *Plan, obj map[string]any, opts PlanOptions) error {
	path := "$"
	if d, ok := obj["data"]; ok {
		dobj, ok := d.(map[string]any)
		if !ok {
			return planErr("$.data", "want an object, got %s", describeJSON(d))
		}
		obj, path = dobj, "$.data"
	}
	r := &cdrReader{plan: plan, assume: opts.Assume, nem: true}
	var err error
	if plan.Name, err = optString(path, obj, "displayName"); err != nil {
		return err
	}
	if plan.Retailer, err = optString(path, obj, "brandName"); err != nil {
		return err
	}
	if fuel, _ := obj["fuelType"].(string); fuel == "GAS" {
		return planErr(path+".fuelType", "a gas plan: solarview prices electricity")
	}
	if mc, ok := obj["meteringCharges"].([]any); ok {
		for i, m := range mc {
			r.unpriced("metering charge", fmt.Sprintf("%s.meteringCharges[%d]", path, i), m)
		}
	}
	raw, ok := obj["electricityContract"]
	if !ok {
		return planErr(path, "electricityContract is missing: solarview prices electricity plans")
	}
	c, ok := raw.(map[string]any)
	if !ok {
		return planErr(path+".electricityContract", "want an object, got %s", describeJSON(raw))
	}
	return r.contract(path+".electricityContract", c)
}

func (r *cdrReader) contract(path string, c map[string]any) error {
	tz, err := r.timeZone(path, c, true)
	if err != nil {
		return err
	}
	r.nem = tz
	switch model, _ := c["pricingModel"].(string); model {
	case "FLEXIBLE", "FLEXIBLE_CONT_LOAD":
		return planErr(path+".pricingModel", "%q: prices that vary with external factors cannot be priced from the plan", model)
	case "QUOTA":
		return planErr(path+".pricingModel", "%q: quota plans are not supported", model)
	}
	r.aware = holidayAwareness(c,
		[]string{"singleRate", "timeOfUseRates"}, []string{"solarFeedInTariff"}, []string{"demandCharges"})
	r.aware["controlledLoad"] = holidayAwareness(c["controlledLoad"], []string{"timeOfUseRates"})["timeOfUseRates"]
	periods, err := optArray(path, c, "tariffPeriod")
	if err != nil {
		return err
	}
	if len(periods) == 0 {
		return planErr(path+".tariffPeriod", "missing or empty: a plan prices energy in tariff periods")
	}
	for i, raw := range periods {
		ipath := fmt.Sprintf("%s.tariffPeriod[%d]", path, i)
		p, ok := raw.(map[string]any)
		if !ok {
			return planErr(ipath, "want an object, got %s", describeJSON(raw))
		}
		if err := r.tariffPeriod(ipath, p); err != nil {
			return err
		}
	}
	if err := r.feedIns(path, c); err != nil {
		return err
	}
	if err := r.discounts(path, c); err != nil {
		return err
	}
	if err := r.controlledLoads(path, c); err != nil {
		return err
	}
	for _, key := range []string{"fees", "incentives", "eligibility", "greenPowerCharges"} {
		raw, ok := c[key]
		if !ok || raw == nil {
			continue
		}
		list, ok := raw.([]any)
		if !ok {
			list = []any{raw}
		}
		for i, x := range list {
			r.unpriced(unpricedKinds[key], fmt.Sprintf("%s.%s[%d]", path, key, i), x)
		}
	}
	if s, _ := c["additionalFeeInformation"].(string); s != "" {
		r.plan.Unpriced = append(r.plan.Unpriced, "fee information: "+oneLine(s))
	}
	return nil
}

var unpricedKinds = map[string]string{
	"fees":              "fee",
	"incentives":        "incentive",
	"eligibility":       "eligibility",
	"greenPowerCharges": "green power option",
}

// unpriced lists an element the plan holds but solarview does not price,
// named by what it says of itself.
func (r *cdrReader) unpriced(kind, path string, v any) {
	obj, _ := v.(map[string]any)
	var parts []string
	for _, key := range []string{"displayName", "type", "category", "term", "amount", "minimumValue", "rate", "period", "information", "description"} {
		if s, ok := obj[key].(string); ok && s != "" {
			parts = append(parts, oneLine(s))
		} else if n, ok := obj[key].(json.Number); ok {
			parts = append(parts, n.String())
		}
	}
	what := strings.Join(parts, ", ")
	if what == "" {
		what = path
	}
	r.plan.Unpriced = append(r.plan.Unpriced, kind+": "+what)
}

// oneLine shortens free text to one line for a listing.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 100 {
		s = s[:97] + "..."
	}
	return s
}

// timeZone reads a timeZone field: true for AEST (NEM time), false for
// LOCAL; def when absent.
func (r *cdrReader) timeZone(path string, obj map[string]any, def bool) (bool, error) {
	raw, ok := obj["timeZone"]
	if !ok || raw == nil {
		return def, nil
	}
	switch raw {
	case "AEST":
		return true, nil
	case "LOCAL":
		return false, nil
	}
	return false, planErr(path+".timeZone", "%s is not LOCAL or AEST", describeJSON(raw))
}

// season reads a tariffPeriod's startDate/endDate ("MM-DD", inclusive);
// the whole year gives no season.
func cdrSeason(path string, p map[string]any) (season, int, error) {
	var s [2]string
	for i, key := range []string{"startDate", "endDate"} {
		raw, ok := p[key]
		if !ok {
			return season{}, 0, planErr(path, "%s is missing", key)
		}
		str, ok := raw.(string)
		if !ok {
			return season{}, 0, planErr(path+"."+key, "want a \"MM-DD\" string, got %s", describeJSON(raw))
		}
		if _, err := ParseMonthDay(str); err != nil {
			return season{}, 0, planErr(path+"."+key, "%q is not a MM-DD day", str)
		}
		s[i] = str
	}
	days := seasonDays(s[0], s[1])
	if days >= 365 {
		return season{}, 365, nil
	}
	return season{start: &s[0], end: &s[1]}, days, nil
}

// seasonDays counts the days from start through end (MM-DD, wrapping over
// new year) in a year without 29 February.
func seasonDays(start, end string) int {
	a, _ := time.Parse("2006-01-02", "2023-"+start)
	b, _ := time.Parse("2006-01-02", "2023-"+end)
	if start == "02-29" {
		a = time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)
	}
	if end == "02-29" {
		b = time.Date(2023, 2, 28, 0, 0, 0, 0, time.UTC)
	}
	if b.Before(a) {
		// Wrapping over new year: start in 2022, so the year after has
		// no 29 February either.
		a = a.AddDate(-1, 0, 0)
	}
	return int(b.Sub(a).Hours()/24) + 1
}

func (r *cdrReader) tariffPeriod(path string, p map[string]any) error {
	s, seasonLen, err := cdrSeason(path, p)
	if err != nil {
		return err
	}
	nem, err := r.timeZone(path, p, r.nem)
	if err != nil {
		return err
	}
	base := models.TariffWindow{SeasonStart: s.start, SeasonEnd: s.end, NEMTime: nem}
	label, _ := p["displayName"].(string)

	// Supply: dailySupplyCharges (v1), dailySupplyCharge (v2), or bands.
	if p["dailySupplyCharges"] != nil && p["dailySupplyCharge"] != nil {
		return planErr(path+".dailySupplyCharge", "given with dailySupplyCharges: which one is charged?")
	}
	for _, key := range []string{"dailySupplyCharges", "dailySupplyCharge"} {
		raw, ok := p[key]
		if !ok || raw == nil {
			continue
		}
		amount, err := moneyValue(path+"."+key, raw)
		if err != nil {
			return err
		}
		c := &DailySupplyCharge{}
		c.Label, c.Amount, c.SeasonStart, c.SeasonEnd = label, amount, s.start, s.end
		if err := r.add(path+"."+key, c); err != nil {
			return err
		}
	}
	if bands, ok := p["bandedDailySupplyCharges"].([]any); ok && len(bands) > 0 {
		r.plan.Unpriced = append(r.plan.Unpriced, fmt.Sprintf("banded daily supply charge of tariff period %q (%d bands)", label, len(bands)))
	}

	kind, _ := p["rateBlockUType"].(string)
	switch kind {
	case "singleRate":
		raw, ok := p["singleRate"].(map[string]any)
		if !ok {
			return planErr(path+".singleRate", "missing or not an object, though rateBlockUType is singleRate")
		}
		period, err := blockPeriod(path+".singleRate", raw)
		if err != nil {
			return err
		}
		rates, err := optArray(path+".singleRate", raw, "rates")
		if err != nil {
			return err
		}
		name, _ := raw["displayName"].(string)
		c, err := rateBlock(path+".singleRate.rates", rates, name, base, period, nil)
		if err != nil {
			return err
		}
		if err := r.add(path+".singleRate.rates", c); err != nil {
			return err
		}
	case "timeOfUseRates":
		list, err := optArray(path, p, "timeOfUseRates")
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return planErr(path+".timeOfUseRates", "missing or empty, though rateBlockUType is timeOfUseRates")
		}
		for i, raw := range list {
			if err := r.timeOfUseRate(fmt.Sprintf("%s.timeOfUseRates[%d]", path, i), raw, base); err != nil {
				return err
			}
		}
	case "demandCharges":
	default:
		return planErr(path+".rateBlockUType", "%s is not singleRate, timeOfUseRates or demandCharges", describeJSON(p["rateBlockUType"]))
	}
	demands, err := optArray(path, p, "demandCharges")
	if err != nil {
		return err
	}
	if kind == "demandCharges" && len(demands) == 0 {
		return planErr(path+".demandCharges", "missing or empty, though rateBlockUType is demandCharges")
	}
	for i, raw := range demands {
		if err := r.demandCharge(fmt.Sprintf("%s.demandCharges[%d]", path, i), raw, base, seasonLen); err != nil {
			return err
		}
	}
	return nil
}

// blockPeriod reads the ISO 8601 period block volumes are for, P1Y when
// absent as the standard says.
func blockPeriod(path string, obj map[string]any) (string, error) {
	raw, ok := obj["period"]
	if !ok || raw == nil {
		return "P1Y", nil
	}
	s, _ := raw.(string)
	if _, err := PeriodDays(s); err != nil {
		return "", planErr(path+".period", "%s is not an ISO 8601 duration of days, weeks, months or years (P1D, P3M, P1Y)", describeJSON(raw))
	}
	return s, nil
}

func (r *cdrReader) timeOfUseRate(path string, raw any, base models.TariffWindow) error {
	return r.timeOfUseRateAware(path, raw, base, r.aware["timeOfUseRates"])
}

// timeOfUseRateAware reads one time-of-use rate whose windows treat public
// holidays as aware says (see applyDays).
func (r *cdrReader) timeOfUseRateAware(path string, raw any, base models.TariffWindow, aware bool) error {
	obj, ok := raw.(map[string]any)
	if !ok {
		return planErr(path, "want an object, got %s", describeJSON(raw))
	}
	label, _ := obj["displayName"].(string)
	if label == "" {
		label, _ = obj["type"].(string)
	}
	period, err := blockPeriod(path, obj)
	if err != nil {
		return err
	}
	rates, err := optArray(path, obj, "rates")
	if err != nil {
		return err
	}
	windows, err := r.windows(path, obj, "timeOfUse", base, aware)
	if err != nil {
		return err
	}
	if len(rates) > 1 && len(windows) > 1 {
		return planErr(path+".rates", "stepped rates over %d time windows are not supported (one window, or one rate)", len(windows))
	}
	for _, w := range windows {
		c, err := rateBlock(path+".rates", rates, label, w.w, period, nil)
		if err != nil {
			return err
		}
		if err := r.add(w.path, c); err != nil {
			return err
		}
	}
	return nil
}

// windows reads a list of {days, startTime, endTime} windows under key.
func (r *cdrReader) windows(path string, obj map[string]any, key string, base models.TariffWindow, aware bool) ([]pathWindow, error) {
	list, err := optArray(path, obj, key)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, planErr(path+"."+key, "missing or empty: give the times the rate applies")
	}
	out := make([]pathWindow, 0, len(list))
	for i, raw := range list {
		wpath := fmt.Sprintf("%s.%s[%d]", path, key, i)
		wobj, ok := raw.(map[string]any)
		if !ok {
			return nil, planErr(wpath, "want an object, got %s", describeJSON(raw))
		}
		w, err := r.window(wpath, wobj, base, aware)
		if err != nil {
			return nil, err
		}
		out = append(out, pathWindow{wpath, w})
	}
	return out, nil
}

// window reads days and startTime/endTime of one CDR window. An absent
// start is midnight and an absent end the end of the day, as feed-in time
// variations define them; 00:00–24:00 is all day.
func (r *cdrReader) window(path string, obj map[string]any, base models.TariffWindow, aware bool) (models.TariffWindow, error) {
	w := base
	if raw, ok := obj["days"]; ok && raw != nil {
		days, listed, err := parseDays(path+".days", raw)
		if err != nil {
			return w, err
		}
		applyDays(&w, days, listed, aware)
		if len(w.Weekdays) == 7 {
			w.Weekdays = nil
		}
	}
	start, end := models.ClockTime(0), models.Midnight24
	for _, key := range []string{"startTime", "endTime"} {
		raw, ok := obj[key]
		if !ok || raw == nil {
			continue
		}
		str, ok := raw.(string)
		if !ok {
			return w, planErr(path+"."+key, "want a \"HH:MM\" string, got %s", describeJSON(raw))
		}
		t, err := parsePlanTime(str, key == "endTime")
		if err != nil {
			return w, planErr(path+"."+key, "%q is not a time of day (HH:MM, without a UTC offset)", str)
		}
		if key == "startTime" {
			start = t
		} else {
			end = t
		}
	}
	if start == models.Midnight24 {
		return w, planErr(path+".startTime", "a window cannot start at 24:00")
	}
	if end == 0 {
		end = models.Midnight24
	}
	if start == end {
		return w, planErr(path+".endTime", "%q is also the start time", obj["endTime"])
	}
	if !(start == 0 && end == models.Midnight24) {
		w.StartTime, w.EndTime = &start, &end
	}
	return w, nil
}

func (r *cdrReader) demandCharge(path string, raw any, base models.TariffWindow, seasonLen int) error {
	obj, ok := raw.(map[string]any)
	if !ok {
		return planErr(path, "want an object, got %s", describeJSON(raw))
	}
	label, _ := obj["displayName"].(string)
	amount, err := requiredMoney(path, obj, "amount")
	if err != nil {
		return err
	}
	if u, ok := obj["measureUnit"]; ok && u != nil && u != "KW" && u != "KVA" && u != "KWH" {
		return planErr(path+".measureUnit", "%s: only demand per kW (or kVA, taken as kW) is priced", describeJSON(u))
	}
	// The charge is per kW per chargePeriod; solarview charges per day.
	switch cp := obj["chargePeriod"]; cp {
	case "DAY", nil:
	case "MONTH":
		amount = scaleMoney(amount, big.NewInt(12), big.NewInt(365))
	case "TARIFF_PERIOD":
		amount = scaleMoney(amount, big.NewInt(1), big.NewInt(int64(seasonLen)))
	default:
		return planErr(path+".chargePeriod", "%s is not DAY, MONTH or TARIFF_PERIOD", describeJSON(cp))
	}
	c := &DemandCharge{}
	c.Label, c.Rate, c.MeasuredOver = label, amount, models.DemandOverBillingPeriod
	c.PerKVA = obj["measureUnit"] == "KVA"
	switch mp := obj["measurementPeriod"]; mp {
	case "DAY":
		c.MeasuredOver = models.DemandOverDay
	case "MONTH", "TARIFF_PERIOD", nil:
		// The peak of the month or season: solarview measures it over
		// the billing period, which is the month with monthly bills.
	default:
		return planErr(path+".measurementPeriod", "%s is not DAY, MONTH or TARIFF_PERIOD", describeJSON(mp))
	}
	for _, key := range []string{"minDemand", "maxDemand"} {
		raw, ok := obj[key]
		if !ok || raw == nil {
			continue
		}
		m, err := moneyValue(path+"."+key, raw)
		if err != nil {
			return err
		}
		kw := float64(m) / float64(models.Unit)
		if key == "minDemand" {
			c.MinKW = kw
		} else {
			c.MaxKW = &kw
		}
	}
	w, err := r.window(path, obj, base, r.aware["demandCharges"])
	if err != nil {
		return err
	}
	c.TariffWindow = w
	return r.add(path, c)
}

// feedIns reads solarFeedInTariff: v2's list with one timeVaryingTariffs
// object per tariff, or v3's with a list of them. Premium (closed,
// government) schemes are priced only with --assume premium-feed-in, and
// then instead of the retailer's own tariffs.
func (r *cdrReader) feedIns(path string, c map[string]any) error {
	list, err := optArray(path, c, "solarFeedInTariff")
	if err != nil {
		return err
	}
	premium := contains(r.assume, AssumePremiumFeedIn)
	hasPremium := false
	for _, raw := range list {
		if obj, ok := raw.(map[string]any); ok && obj["scheme"] == "PREMIUM" {
			hasPremium = true
		}
	}
	if premium && hasPremium {
		r.plan.Applied = append(r.plan.Applied, AssumePremiumFeedIn)
	}
	for i, raw := range list {
		ipath := fmt.Sprintf("%s.solarFeedInTariff[%d]", path, i)
		obj, ok := raw.(map[string]any)
		if !ok {
			return planErr(ipath, "want an object, got %s", describeJSON(raw))
		}
		name, _ := obj["displayName"].(string)
		scheme, _ := obj["scheme"].(string)
		payer, _ := obj["payerType"].(string)
		switch {
		case scheme == "PREMIUM" && !premium:
			r.plan.Unpriced = append(r.plan.Unpriced, fmt.Sprintf("premium feed-in tariff %q (%s-paid; a closed scheme: --assume %s prices it instead of the retailer's)",
				name, strings.ToLower(payer), AssumePremiumFeedIn))
			continue
		case scheme != "PREMIUM" && premium && hasPremium:
			r.plan.Unpriced = append(r.plan.Unpriced, fmt.Sprintf("feed-in tariff %q (replaced by the premium scheme assumed)", name))
			continue
		}
		for _, key := range []string{"startDate", "endDate"} {
			if s, _ := obj[key].(string); s != "" {
				r.plan.Unpriced = append(r.plan.Unpriced, fmt.Sprintf("%s %s of feed-in tariff %q (priced on every date)", key, s, name))
			}
		}
		switch kind := obj["tariffUType"]; kind {
		case "singleTariff":
			st, ok := obj["singleTariff"].(map[string]any)
			if !ok {
				return planErr(ipath+".singleTariff", "missing or not an object, though tariffUType is singleTariff")
			}
			if err := r.feedInRates(ipath+".singleTariff", st, name, models.TariffWindow{NEMTime: r.nem}, false); err != nil {
				return err
			}
		case "timeVaryingTariffs":
			tv := obj["timeVaryingTariffs"]
			variants, ok := tv.([]any) // v3
			if !ok {
				variants = []any{tv} // v2: one object
			}
			for j, v := range variants {
				vpath := ipath + ".timeVaryingTariffs"
				if _, isList := tv.([]any); isList {
					vpath = fmt.Sprintf("%s[%d]", vpath, j)
				}
				vobj, ok := v.(map[string]any)
				if !ok {
					return planErr(vpath, "want an object, got %s", describeJSON(v))
				}
				// v3 names each variant; v2's one variant goes by its
				// tariff's name.
				label, _ := vobj["displayName"].(string)
				if label == "" {
					label = name
				}
				if label == "" {
					label, _ = vobj["type"].(string)
				}
				if err := r.feedInRates(vpath, vobj, label, models.TariffWindow{NEMTime: r.nem}, true); err != nil {
					return err
				}
			}
		default:
			return planErr(ipath+".tariffUType", "%s is not singleTariff or timeVaryingTariffs", describeJSON(kind))
		}
	}
	return nil
}

// feedInRates adds one feed-in rate (a single price; stepped feed-in is
// refused), over timeVariations when timed.
func (r *cdrReader) feedInRates(path string, obj map[string]any, label string, base models.TariffWindow, timed bool) error {
	var price models.Money
	if rates, ok := obj["rates"].([]any); ok {
		if len(rates) != 1 {
			return planErr(path+".rates", "%d feed-in rates: stepped feed-in is not supported", len(rates))
		}
		rate, ok := rates[0].(map[string]any)
		if !ok {
			return planErr(path+".rates[0]", "want an object, got %s", describeJSON(rates[0]))
		}
		if u, ok := rate["measureUnit"]; ok && u != nil && u != "KWH" {
			return planErr(path+".rates[0].measureUnit", "%s: only rates per KWH are priced", describeJSON(u))
		}
		p, err := requiredMoney(path+".rates[0]", rate, "unitPrice")
		if err != nil {
			return err
		}
		price = p
	} else if raw, ok := obj["amount"]; ok { // v1 documents
		p, err := moneyValue(path+".amount", raw)
		if err != nil {
			return err
		}
		price = p
	} else {
		return planErr(path, "rates is missing")
	}
	windows := []pathWindow{{path, base}}
	if timed {
		var err error
		windows, err = r.windows(path, obj, "timeVariations", base, r.aware["solarFeedInTariff"])
		if err != nil {
			return err
		}
	}
	for _, w := range windows {
		c := &FeedInRate{}
		c.Label, c.Rate, c.TariffWindow = label, price, w.w
		if err := r.add(w.path, c); err != nil {
			return err
		}
	}
	return nil
}

// discountConditions maps a conditional discount's category to the
// assumption it needs.
var discountConditions = map[string]string{
	"PAY_ON_TIME":  AssumePayOnTime,
	"DIRECT_DEBIT": AssumeDirectDebit,
}

func (r *cdrReader) discounts(path string, c map[string]any) error {
	list, err := optArray(path, c, "discounts")
	if err != nil {
		return err
	}
	for i, raw := range list {
		ipath := fmt.Sprintf("%s.discounts[%d]", path, i)
		obj, ok := raw.(map[string]any)
		if !ok {
			return planErr(ipath, "want an object, got %s", describeJSON(raw))
		}
		name, _ := obj["displayName"].(string)
		typ, _ := obj["type"].(string)
		category, _ := obj["category"].(string)
		condition := ""
		switch {
		case typ == "GUARANTEED" || category == "GUARANTEED_DISCOUNT":
		case typ == "CONDITIONAL" && discountConditions[category] != "":
			condition = discountConditions[category]
			if !contains(r.assume, condition) {
				r.plan.Unpriced = append(r.plan.Unpriced, fmt.Sprintf("discount %q (conditional on %s: --assume %s applies it)", name, strings.ToLower(strings.ReplaceAll(category, "_", " ")), condition))
				continue
			}
		default:
			r.plan.Unpriced = append(r.plan.Unpriced, fmt.Sprintf("discount %q (%s, %s: a condition solarview cannot check)", name, strings.ToLower(typ), strings.ToLower(category)))
			continue
		}
		method, _ := obj["methodUType"].(string)
		appliesTo := ""
		switch method {
		case "percentOfBill":
			appliesTo = models.DiscountOffBill
		case "percentOfUse":
			appliesTo = models.DiscountOffUsage
		case "fixedAmount":
			// The standard gives the amount but not what it is per (a bill,
			// a month, a year?), and bills differ in length: pricing it
			// would be a guess.
			amount := ""
			if fa, ok := obj["fixedAmount"].(map[string]any); ok {
				if s, ok := fa["amount"].(string); ok {
					amount = " of " + s
				}
			}
			r.plan.Unpriced = append(r.plan.Unpriced, fmt.Sprintf("discount %q (a fixed amount%s: the plan does not say per what period, so it is not priced)", name, amount))
			continue
		default:
			r.plan.Unpriced = append(r.plan.Unpriced, fmt.Sprintf("discount %q (%s is not priced)", name, method))
			continue
		}
		detail, ok := obj[method].(map[string]any)
		if !ok {
			return planErr(ipath+"."+method, "missing or not an object, though methodUType is %s", method)
		}
		// CDR rates are fractions: 0.05 is 5%.
		rate, err := requiredMoney(ipath+"."+method, detail, "rate")
		if err != nil {
			return err
		}
		d := &PercentDiscount{}
		d.Label, d.Percent, d.AppliesTo, d.Condition = name, rate*100, appliesTo, condition
		if err := r.add(ipath, d); err != nil {
			return err
		}
		if condition != "" && !contains(r.plan.Applied, condition) {
			r.plan.Applied = append(r.plan.Applied, condition)
		}
		if s, _ := obj["endDate"].(string); s != "" {
			r.plan.Unpriced = append(r.plan.Unpriced, fmt.Sprintf("end date %s of discount %q (applied on every date)", s, name))
		}
	}
	sort.Strings(r.plan.Applied)
	return nil
}

// add validates c and keeps it; an invalid component is reported at path.
func (r *cdrReader) add(path string, c Component) error {
	if err := c.Validate(); err != nil {
		return planErr(path, "%v", err)
	}
	r.plan.Components = append(r.plan.Components, c)
	return nil
}

// controlledLoads reads the contract's controlledLoad list: the rates
// (single, stepped or time of use, on the contract's clock) and daily
// supply charge of the controlled-load circuit, which price the site's
// controlled-load channel. solarview meters one such circuit, so the first
// entry is priced and any other is listed as not priced. A supply charge
// may be given on the single rate or on each time-of-use rate; it is one
// charge for the circuit, so it is charged once, and differing ones past
// the first are listed.
func (r *cdrReader) controlledLoads(path string, c map[string]any) error {
	list, err := optArray(path, c, "controlledLoad")
	if err != nil {
		return err
	}
	var first string
	for i, raw := range list {
		ipath := fmt.Sprintf("%s.controlledLoad[%d]", path, i)
		obj, ok := raw.(map[string]any)
		if !ok {
			return planErr(ipath, "want an object, got %s", describeJSON(raw))
		}
		name, _ := obj["displayName"].(string)
		if i > 0 {
			r.plan.Unpriced = append(r.plan.Unpriced, fmt.Sprintf("controlled load %q (solarview meters one controlled-load circuit and prices it at the first, %q)", name, first))
			continue
		}
		first = name
		for _, key := range []string{"startDate", "endDate"} {
			if s, _ := obj[key].(string); s != "" {
				r.plan.Unpriced = append(r.plan.Unpriced, fmt.Sprintf("%s %s of controlled load %q (priced on every date)", key, s, name))
			}
		}
		start := len(r.plan.Components)
		base := models.TariffWindow{NEMTime: r.nem}
		type supply struct {
			path string
			raw  any
		}
		var supplies []supply
		switch kind := obj["rateBlockUType"]; kind {
		case "singleRate":
			sr, ok := obj["singleRate"].(map[string]any)
			if !ok {
				return planErr(ipath+".singleRate", "missing or not an object, though rateBlockUType is singleRate")
			}
			period, err := blockPeriod(ipath+".singleRate", sr)
			if err != nil {
				return err
			}
			rates, err := optArray(ipath+".singleRate", sr, "rates")
			if err != nil {
				return err
			}
			label, _ := sr["displayName"].(string)
			if label == "" {
				label = name
			}
			comp, err := rateBlock(ipath+".singleRate.rates", rates, label, base, period, nil)
			if err != nil {
				return err
			}
			if err := r.add(ipath+".singleRate.rates", comp); err != nil {
				return err
			}
			if v, ok := sr["dailySupplyCharge"]; ok && v != nil {
				supplies = append(supplies, supply{ipath + ".singleRate.dailySupplyCharge", v})
			}
		case "timeOfUseRates":
			tou, err := optArray(ipath, obj, "timeOfUseRates")
			if err != nil {
				return err
			}
			if len(tou) == 0 {
				return planErr(ipath+".timeOfUseRates", "missing or empty, though rateBlockUType is timeOfUseRates")
			}
			for j, raw := range tou {
				jpath := fmt.Sprintf("%s.timeOfUseRates[%d]", ipath, j)
				if err := r.timeOfUseRateAware(jpath, raw, base, r.aware["controlledLoad"]); err != nil {
					return err
				}
				if v, ok := raw.(map[string]any)["dailySupplyCharge"]; ok && v != nil {
					supplies = append(supplies, supply{jpath + ".dailySupplyCharge", v})
				}
			}
		default:
			return planErr(ipath+".rateBlockUType", "%s is not singleRate or timeOfUseRates", describeJSON(kind))
		}
		var charged *models.Money
		for _, sp := range supplies {
			amount, err := moneyValue(sp.path, sp.raw)
			if err != nil {
				return err
			}
			switch {
			case charged == nil:
				charged = &amount
				sc := &DailySupplyCharge{}
				sc.Label, sc.Amount = name, amount
				if err := sc.Validate(); err != nil {
					return planErr(sp.path, "%v", err)
				}
				// Listed before the rates, as a tariff period's supply
				// charge is.
				r.plan.Components = slices.Insert(r.plan.Components, start, Component(sc))
			case amount != *charged:
				r.plan.Unpriced = append(r.plan.Unpriced, fmt.Sprintf("controlled load %q: daily supply charge %s at %s (the circuit is charged once, at %s)", name, amount, sp.path, *charged))
			}
		}
		for _, comp := range r.plan.Components[start:] {
			setControlledLoad(comp)
		}
	}
	return nil
}

// setControlledLoad puts a supply charge or usage rate on the
// controlled-load circuit.
func setControlledLoad(c Component) {
	switch c := c.(type) {
	case *DailySupplyCharge:
		c.ControlledLoad = true
	case *UsageRate:
		c.ControlledLoad = true
	case *BlockRate:
		c.ControlledLoad = true
	}
}
