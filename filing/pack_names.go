package filing

// Named is one coded value of the rule pack with its names, as a list in
// the window or a spreadsheet template offers it.
type Named struct{ Code, ZH, EN string }

// Name is the value's name in "zh" or "en".
func (n Named) Name(lang string) string {
	if lang == "en" {
		return n.EN
	}
	return n.ZH
}

// ProvinceNames lists the provinces in the pack's order.
func (p *Pack) ProvinceNames() []Named {
	out := make([]Named, len(p.Provinces))
	for i, v := range p.Provinces {
		out[i] = Named{v.Code, v.ZH, v.EN}
	}
	return out
}

// SubjectTypeNames lists the subject types (主办单位性质).
func (p *Pack) SubjectTypeNames() []Named {
	out := make([]Named, len(p.SubjectTypes))
	for i, v := range p.SubjectTypes {
		out[i] = Named{v.Code, v.ZH, v.EN}
	}
	return out
}

// CertificateNames lists the certificate types; personOnly keeps those
// that identify a person (the 负责人 ID types).
func (p *Pack) CertificateNames(personOnly bool) []Named {
	var out []Named
	for _, v := range p.CertificateTypes {
		if !personOnly || v.PersonID {
			out = append(out, Named{v.Code, v.ZH, v.EN})
		}
	}
	return out
}

// ServiceContentNames lists the 服务内容 codes.
func (p *Pack) ServiceContentNames() []Named {
	out := make([]Named, len(p.ServiceContents))
	for i, v := range p.ServiceContents {
		out[i] = Named{v.Code, v.ZH, v.EN}
	}
	return out
}

// ProductNames lists the eligible products.
func (p *Pack) ProductNames() []Named {
	out := make([]Named, len(p.Products))
	for i, v := range p.Products {
		out[i] = Named{v.Code, v.ZH, v.EN}
	}
	return out
}
