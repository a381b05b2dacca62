package ui

import (
	"context"
	"fmt"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

// The "IdP secrets" view (Administration › IdP secrets, #26): every
// client secret and certificate a management connection sees at its IdP
// — also of apps no profile here uses — with the app, client ID, key,
// created, expires and the local profile that uses it; sorted by expiry,
// the expiring ones marked, a "within" filter. Never a secret's value: the
// IdP does not give it out after minting.

// nodeIdPSecrets is the tree node of the view.
const nodeIdPSecrets = "idp-secrets"

// idpSecretsHost is what the view asks of the window.
type idpSecretsHost interface {
	workHost
	allProfiles() []*credentials.Profile
}

// idpSecretsView is the view.
type idpSecretsView struct {
	h       idpSecretsHost
	root    fyne.CanvasObject
	mgmt    *widget.Select
	within  *widget.SelectEntry
	refresh *widget.Button
	info    *widget.Label
	table   *widget.Table
	rows    *model.SecretsTable
	ids     map[string]string // management select: name → profile ID
	loading bool
}

// withinChoices are the filter's offers (any "30d", "2w" may be typed).
var withinChoices = []string{"All", "7d", "30d", "90d"}

// idpSecretsWidths are the columns' widths: together they fit the view of
// an 800-pixel window beside the tree.
var idpSecretsWidths = []float32{105, 85, 90, 95, 95, 100}

func newIDPSecretsView(h idpSecretsHost) *idpSecretsView {
	v := &idpSecretsView{h: h, rows: model.NewSecretsTable(h.clock), ids: map[string]string{}}
	v.mgmt = widget.NewSelect(nil, func(string) { v.load() })
	v.mgmt.PlaceHolder = "Management profile"
	v.within = widget.NewSelectEntry(withinChoices)
	v.within.SetText("All")
	v.within.OnChanged = func(string) { v.applyWithin() }
	v.refresh = widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), v.load)
	v.info = widget.NewLabel("Choose the management profile whose connection lists the IdP's apps.")
	v.info.Wrapping = fyne.TextWrapWord
	v.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(v.rows.View()), len(model.IdPSecretColumns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		v.cell)
	v.table.ShowHeaderColumn = false
	v.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	v.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(model.IdPSecretColumns) {
			o.(*widget.Label).SetText(model.IdPSecretColumns[id.Col])
		}
	}
	for i, w := range idpSecretsWidths {
		v.table.SetColumnWidth(i, w)
	}
	bar := container.NewBorder(nil, nil, widget.NewLabel("Management profile"),
		container.NewHBox(widget.NewLabel("Expires within"), container.NewStack(canvasSpacer(96, 0), v.within), v.refresh), v.mgmt)
	v.root = container.NewBorder(container.NewVBox(bar, v.info), nil, nil, nil, v.table)
	return v
}

func (v *idpSecretsView) cell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	view := v.rows.View()
	if id.Row >= len(view) {
		l.SetText("")
		return
	}
	r := view[id.Row]
	l.SetText(v.rows.Cell(r, id.Col))
	l.Importance = widget.MediumImportance
	if id.Col == 4 && v.rows.Expiring(r) {
		l.Importance = widget.DangerImportance
	}
	l.Refresh()
}

// refreshChoices offers the profiles as they are now: those other
// profiles name as their management profile first, then the rest.
func (v *idpSecretsView) refreshChoices() {
	used := map[string]bool{}
	all := v.h.allProfiles()
	for _, p := range all {
		if p.ManagementProfile != "" {
			used[p.ManagementProfile] = true
		}
	}
	var first, rest []string
	v.ids = map[string]string{}
	for _, p := range all {
		v.ids[p.Name] = p.ID
		if used[p.ID] {
			first = append(first, p.Name)
		} else {
			rest = append(rest, p.Name)
		}
	}
	sort.Strings(first)
	sort.Strings(rest)
	v.mgmt.Options = append(first, rest...)
	if _, ok := v.ids[v.mgmt.Selected]; !ok {
		v.mgmt.Selected = ""
		if len(first) > 0 {
			v.mgmt.Selected = first[0]
		}
	}
	v.mgmt.Refresh()
}

// shown is the view being selected in the tree: it lists at once.
func (v *idpSecretsView) shown() {
	v.refreshChoices()
	if v.rows.Total() == 0 {
		v.load()
	}
}

func (v *idpSecretsView) applyWithin() {
	d, ok := model.ParseWithin(v.within.Text)
	if !ok {
		v.info.SetText("Expires within: use a number of days such as 30d, or All.")
		return
	}
	v.rows.SetWithin(d)
	v.table.Refresh()
	v.sayCount()
}

func (v *idpSecretsView) sayCount() {
	n, marked := len(v.rows.View()), v.rows.CountExpiring()
	s := fmt.Sprintf("%d of %d secrets and certificates at the IdP, soonest expiry first", n, v.rows.Total())
	if marked > 0 {
		s += fmt.Sprintf("; %d expire within 30 days (marked)", marked)
	}
	v.info.SetText(s + ".")
}

// load asks the IdP through the chosen management profile.
func (v *idpSecretsView) load() {
	id := v.ids[v.mgmt.Selected]
	if id == "" || v.loading {
		return
	}
	name := v.mgmt.Selected
	v.loading = true
	v.refresh.Disable()
	v.info.SetText("Asking the IdP through " + name + "…")
	var got []oauthflow.TenantCredential
	v.h.background("Listing the IdP's secrets through "+name+"…", func(ctx context.Context) error {
		l, err := lifecycleOf(v.h.service())
		if err == nil {
			got, err = l.Tenant(ctx, id)
		}
		return err
	}, func(err error) {
		v.loading = false
		v.refresh.Enable()
		if err != nil {
			v.rows.Load(nil)
			v.table.Refresh()
			v.info.SetText("Cannot list the IdP's secrets through " + name + ": " + err.Error())
			return
		}
		v.rows.Load(tenantRows(got))
		v.applyWithin()
		v.h.setStatus(fmt.Sprintf("Listed %d secrets and certificates through %s", len(got), name))
	})
}

// tenantRows are the engine's credentials as the view's rows.
func tenantRows(cs []oauthflow.TenantCredential) []model.IdPSecret {
	out := make([]model.IdPSecret, 0, len(cs))
	for _, c := range cs {
		app := c.App.Name
		if app == "" {
			app = c.App.ClientID
		}
		out = append(out, model.IdPSecret{App: app, ClientID: c.App.ClientID, Kind: string(c.Kind), KeyID: c.KeyID,
			Hint: c.Hint, Status: c.Status, Created: c.Created, Expires: c.Expires, UsedBy: c.UsedBy})
	}
	return out
}
