// Package divisions lists mainland China's provinces, prefecture-level
// cities and county-level divisions, so addresses can be picked rather than
// typed. The list is dated data (see Source and AsOf): divisions change
// every year, so a place it lacks is never an error, only a warning.
package divisions

import (
	_ "embed"
	"encoding/json"
	"sync"
)

// Source and AsOf say where the embedded list comes from and the day it describes.
const (
	Source = "国家统计局《2023年统计用区划代码和城乡划分代码》（modood/Administrative-divisions-of-China dist/pca-code.json, 57a0aa9）"
	AsOf   = "2023-06-30"
)

//go:embed pca-code.json
var pcaCode []byte

// Division is one administrative division: a 2-digit province, 4-digit
// city or 6-digit county code (GB/T 2260) and its name.
type Division struct {
	Code     string     `json:"code"`
	Name     string     `json:"name"`
	Children []Division `json:"children,omitempty"`
}

// municipalDistricts is the statistics' name of a 直辖市's districts
// taken as a city; "县" is 重庆's second such group.
const municipalDistricts = "市辖区"

var provinces = sync.OnceValue(func() map[string]Division {
	var list []Division
	if err := json.Unmarshal(pcaCode, &list); err != nil {
		panic("divisions: embedded list does not parse: " + err.Error())
	}
	out := make(map[string]Division, len(list))
	for _, p := range list {
		out[p.Code] = municipality(p)
	}
	return out
})

// municipality presents a 直辖市 (whose cities are 市辖区 and perhaps 县)
// as one city named after it, holding all its districts and counties.
func municipality(p Division) Division {
	if len(p.Children) == 0 || p.Children[0].Name != municipalDistricts {
		return p
	}
	city := Division{Code: p.Children[0].Code, Name: p.Name}
	for _, c := range p.Children {
		city.Children = append(city.Children, c.Children...)
	}
	p.Children = []Division{city}
	return p
}

// Cities are the prefecture-level divisions of a province (by its
// 2-digit code), in code order; nil for an unknown province.
func Cities(province string) []Division {
	return strip(provinces()[province].Children)
}

// Counties are the county-level divisions of a city of a province, the
// city given by name; nil when the city is not in the list.
func Counties(province, city string) []Division {
	c, ok := findCity(province, city)
	if !ok {
		return nil
	}
	return strip(c.Children)
}

// Has says whether the list has the province at all (it lacks Hong Kong,
// Macao and Taiwan); only then can a city or county be judged.
func Has(province string) bool {
	_, ok := provinces()[province]
	return ok
}

// CityKnown says whether a city name is in the list for the province.
func CityKnown(province, city string) bool {
	_, ok := findCity(province, city)
	return ok
}

// CountyKnown says whether a county name is in the list for the city.
func CountyKnown(province, city, county string) bool {
	for _, c := range Counties(province, city) {
		if c.Name == county {
			return true
		}
	}
	return false
}

func findCity(province, name string) (Division, bool) {
	p, ok := provinces()[province]
	if !ok {
		return Division{}, false
	}
	for _, c := range p.Children {
		// A municipality's city is also accepted under its statistical name.
		if c.Name == name || name == municipalDistricts && c.Name == p.Name {
			return c, true
		}
	}
	return Division{}, false
}

// strip returns divisions without their children, so callers cannot
// change the shared list through them.
func strip(ds []Division) []Division {
	if ds == nil {
		return nil
	}
	out := make([]Division, len(ds))
	for i, d := range ds {
		out[i] = Division{Code: d.Code, Name: d.Name}
	}
	return out
}
