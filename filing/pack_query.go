package filing

// Queries of the pack "as of" a day. Where rules of a kind overlap, a rule
// that names the province beats one for all provinces ("*"), so provincial
// exceptions need no special code.

func namesProvince(s *Scope, province string) bool {
	for _, p := range s.Provinces {
		if p == province {
			return true
		}
	}
	return false
}

// mostSpecific picks, among the rules active on day whose scope covers the
// province and subject kind, one that names the province, else one for all.
func mostSpecific[T any](rules []T, rule func(*T) (*Rule, *Scope), province string, personal bool, day Date) *T {
	var general *T
	for i := range rules {
		r, s := rule(&rules[i])
		if !r.ActiveOn(day) || !s.Covers(province, personal) {
			continue
		}
		if namesProvince(s, province) {
			return &rules[i]
		}
		if general == nil {
			general = &rules[i]
		}
	}
	return general
}

// SMSRuleFor is the rule that makes SMS verification apply in a province
// on a day, or nil when it does not apply.
func (p *Pack) SMSRuleFor(province string, day Date) *SMSRule {
	return mostSpecific(p.SMS, func(r *SMSRule) (*Rule, *Scope) { return &r.Rule, &r.Scope }, province, false, day)
}

// SMSValidityOn is how long an SMS code is valid on a day.
func (p *Pack) SMSValidityOn(day Date) *SMSValidity {
	for i := range p.SMSValidity {
		if p.SMSValidity[i].ActiveOn(day) {
			return &p.SMSValidity[i]
		}
	}
	return nil
}

// SMSVerifierFor says who receives the SMS for a filing kind.
func (p *Pack) SMSVerifierFor(kind AccessKind, day Date) *SMSVerifier {
	for i := range p.SMSVerifiers {
		v := &p.SMSVerifiers[i]
		if !v.ActiveOn(day) {
			continue
		}
		for _, k := range v.Kinds {
			if k == kind {
				return v
			}
		}
	}
	return nil
}

// PhotoMethodFor is how the website owner is verified in a province, and
// the information-only rules to show beside it.
func (p *Pack) PhotoMethodFor(province string, day Date) (method *PhotoMethod, info []*PhotoMethod) {
	var general *PhotoMethod
	for i := range p.PhotoMethods {
		m := &p.PhotoMethods[i]
		if !m.ActiveOn(day) || !m.Covers(province, false) {
			continue
		}
		switch {
		case m.Info:
			info = append(info, m)
		case namesProvince(&m.Scope, province):
			method = m
		case general == nil:
			general = m
		}
	}
	if method == nil {
		method = general
	}
	return method, info
}

// DomainDaysFor is the registration time a domain must have left.
func (p *Pack) DomainDaysFor(province string, day Date) *DomainDays {
	return mostSpecific(p.DomainDays, func(r *DomainDays) (*Rule, *Scope) { return &r.Rule, &r.Scope }, province, false, day)
}

// SiteLimitFor caps the websites of one order, or nil when there is no cap.
func (p *Pack) SiteLimitFor(province string, personal bool, day Date) *SiteLimit {
	return mostSpecific(p.SiteLimits, func(r *SiteLimit) (*Rule, *Scope) { return &r.Rule, &r.Scope }, province, personal, day)
}

// LegalRepFor is the legal-representative rule for units of a province.
func (p *Pack) LegalRepFor(province string, day Date) *LegalRepRule {
	return mostSpecific(p.LegalReps, func(r *LegalRepRule) (*Rule, *Scope) { return &r.Rule, &r.Scope }, province, false, day)
}

// NonLocalFor is what a personal filer from another province may do.
func (p *Pack) NonLocalFor(province string, day Date) *NonLocalRule {
	return mostSpecific(p.NonLocal, func(r *NonLocalRule) (*Rule, *Scope) { return &r.Rule, &r.Scope }, province, true, day)
}

// MinimumAgeFor is the youngest age a 负责人 may have, or nil.
func (p *Pack) MinimumAgeFor(province string, personal bool, day Date) *MinimumAge {
	return mostSpecific(p.MinimumAges, func(r *MinimumAge) (*Rule, *Scope) { return &r.Rule, &r.Scope }, province, personal, day)
}

// LocalPhoneFor says whether mobiles must be registered in the province.
func (p *Pack) LocalPhoneFor(province string, personal bool, day Date) *LocalPhoneRule {
	return mostSpecific(p.LocalPhones, func(r *LocalPhoneRule) (*Rule, *Scope) { return &r.Rule, &r.Scope }, province, personal, day)
}

// DomainCertFor is the rule that asks for domain certificates, given the
// number of domains in the order, or nil.
func (p *Pack) DomainCertFor(province string, personal bool, domains int, day Date) *DomainCertRule {
	r := mostSpecific(p.DomainCerts, func(r *DomainCertRule) (*Rule, *Scope) { return &r.Rule, &r.Scope }, province, personal, day)
	if r == nil || domains < r.MinDomains {
		return nil
	}
	return r
}

// UploadFor is the format and size rule of a document slot.
func (p *Pack) UploadFor(slot string, day Date) *Upload {
	var general *Upload
	for i := range p.Uploads {
		u := &p.Uploads[i]
		if !u.ActiveOn(day) {
			continue
		}
		for _, s := range u.Slots {
			if s == slot {
				return u
			}
			if s == "*" && general == nil {
				general = u
			}
		}
	}
	return general
}

// ReviewFor is how long a review stage takes ("initial", "photo", "bureau").
func (p *Pack) ReviewFor(stage string, day Date) *ReviewDuration {
	for i := range p.Reviews {
		if r := &p.Reviews[i]; r.Stage == stage && r.ActiveOn(day) {
			return r
		}
	}
	return nil
}

// BackgroundFor is the background a photo taken by a method must show.
func (p *Pack) BackgroundFor(method string, day Date) *PhotoBackground {
	for i := range p.Backgrounds {
		b := &p.Backgrounds[i]
		if !b.ActiveOn(day) {
			continue
		}
		for _, m := range b.Methods {
			if m == method {
				return b
			}
		}
	}
	return nil
}

// StitchingFor lists the rules that let supporting documents be stitched
// into a slot's image for a province, subject kind and subject type on a
// day; empty when the slot takes only its own document.
func (p *Pack) StitchingFor(slot, province string, personal bool, subjectType string, day Date) []*StitchRule {
	var out []*StitchRule
	for i := range p.Stitching {
		r := &p.Stitching[i]
		if r.Slot == slot && r.ActiveOn(day) && r.Covers(province, personal) && subjectTypeIn(subjectType, r.SubjectTypes) {
			out = append(out, r)
		}
	}
	return out
}

// StitchSlotFor is the slot whose image a supporting document ("adds"
// code, e.g. "authorisation_letter" or "domain_list") is stitched into,
// with the rule that says so, or nil when it is uploaded on its own.
func (p *Pack) StitchSlotFor(adds, province string, personal bool, subjectType string, day Date) *StitchRule {
	for i := range p.Stitching {
		r := &p.Stitching[i]
		if !r.ActiveOn(day) || !r.Covers(province, personal) || !subjectTypeIn(subjectType, r.SubjectTypes) {
			continue
		}
		for _, a := range r.Adds {
			if a == adds {
				return r
			}
		}
	}
	return nil
}

// DomainListFor says where a province wants the domains that do not fit
// the verification form, and whether each carries its registrar's name.
func (p *Pack) DomainListFor(province string, personal bool, day Date) *DomainListRule {
	return mostSpecific(p.DomainLists, func(r *DomainListRule) (*Rule, *Scope) { return &r.Rule, &r.Scope }, province, personal, day)
}
