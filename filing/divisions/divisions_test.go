package divisions

import "testing"

func TestCities(t *testing.T) {
	cases := []struct {
		province  string
		wantFirst string
		wantCount int
	}{
		{"33", "杭州市", 11},
		{"12", "天津市", 1}, // 市辖区 presented as the municipality
		{"50", "重庆市", 1}, // 市辖区 and 县 merged
		{"44", "广州市", 21},
		{"71", "", 0}, // Taiwan is not in the list
		{"", "", 0},
	}
	for _, tc := range cases {
		got := Cities(tc.province)
		if len(got) != tc.wantCount {
			t.Errorf("Cities(%q): %d cities, want %d", tc.province, len(got), tc.wantCount)
			continue
		}
		if len(got) > 0 && got[0].Name != tc.wantFirst {
			t.Errorf("Cities(%q)[0] = %q, want %q", tc.province, got[0].Name, tc.wantFirst)
		}
	}
}

func TestKnown(t *testing.T) {
	cases := []struct {
		province, city, county string
		cityKnown, countyKnown bool
	}{
		{"33", "杭州市", "西湖区", true, true},
		{"33", "杭州市", "南山区", true, false},
		{"44", "深圳市", "南山区", true, true},
		{"12", "天津市", "和平区", true, true},
		{"12", "市辖区", "和平区", true, true}, // the statistical name still matches
		{"50", "重庆市", "城口县", true, true}, // a county of 重庆's 县 group
		{"33", "深圳市", "南山区", false, false},
		{"11", "北京", "东城区", false, false}, // names are matched exactly
	}
	for _, tc := range cases {
		if got := CityKnown(tc.province, tc.city); got != tc.cityKnown {
			t.Errorf("CityKnown(%s, %s) = %v", tc.province, tc.city, got)
		}
		if got := CountyKnown(tc.province, tc.city, tc.county); got != tc.countyKnown {
			t.Errorf("CountyKnown(%s, %s, %s) = %v", tc.province, tc.city, tc.county, got)
		}
	}
}

func TestEveryProvinceIsListed(t *testing.T) {
	for _, code := range []string{"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
		"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"} {
		if !Has(code) || len(Cities(code)) == 0 {
			t.Errorf("province %s has no cities", code)
		}
		for _, c := range Cities(code) {
			if len(Counties(code, c.Name)) == 0 {
				t.Errorf("%s %s has no counties", code, c.Name)
			}
		}
	}
}

func TestCitiesAreCopies(t *testing.T) {
	Cities("33")[0].Name = "changed"
	Counties("33", "杭州市")[0].Name = "changed"
	if Cities("33")[0].Name != "杭州市" || Counties("33", "杭州市")[0].Name == "changed" {
		t.Error("a caller changed the shared list")
	}
}
