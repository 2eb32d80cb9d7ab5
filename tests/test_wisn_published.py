"""hrh.available_working_time and hrh.wisn against WISN calculations published with
their inputs.

1. Nair A, Jawale Y, Dubey SR, Dharmadhikari S, Zadey S (2022). Workforce problems at
   rural public health-centres in India: a WISN retrospective analysis and national-level
   modelling study. Human Resources for Health 19(Suppl 1). doi:10.1186/s12960-021-00687-9.
   The authors' analysis repository, https://github.com/asarforindia/RHS-WISN, commit
   a3889385c65cad01e727c75c0dde86d5be923c3f ("manuscript submission", 2021-02-09):
   code/01_calculate_WISN.Rmd, chunk "OBGYN @ CHC | GJ" (lines 1412-1470), applied to
   the IHME ABCE Gujarat facility survey (data/ABCE/IHME_ABCE_IND_GJ_2015_2016_FACILITY_
   DATA_Y2018M03D27.CSV); published results analysis/Data_WISN_ABCE_raw.csv (columns HSA,
   CAF, IAF, WISN). Every step of the WHO method is there, with all inputs: available
   working time, four activity standards, annual workloads, one CAS, one IAS.
2. Burmen B, Owuor N, Mitei P (2017). An assessment of staffing needs at a HIV clinic in a
   Western Kenya using the WHO workload indicators of staffing need WISN, 2011. Human
   Resources for Health 15:9. doi:10.1186/s12960-017-0186-3. Table 3, "Computation of
   estimating staffing requirements using WISN" (https://human-resources-health.
   biomedcentral.com/articles/10.1186/s12960-017-0186-3/tables/3), worked in days of
   8 hours; the tests work in hours, which leaves every ratio unchanged. Only the part
   of Table 3 up to the category allowance could be read; the CAF, individual allowance,
   total requirement and ratio rows are not used here.
3. Joarder T, Tune SNBK, Nuruzzaman M, Alam S, de Oliveira Cruz V, Zapata T (2020).
   Assessment of staffing needs for physicians and nurses at Upazila health complexes in
   Bangladesh using WHO workload indicators of staffing need (WISN) method. BMJ Open
   10:e035183. doi:10.1136/bmjopen-2019-035183. Table 5, "Analysis of WISN results of
   Upazila-level health staff". It gives no facility workloads, so it checks only how
   hrh turns required and existing staff into the WISN difference and ratio.

Tolerances follow what each source printed: 15 significant digits in the CSV of (1),
2 decimals in (2) and (3) (half a unit in the last place, plus 1e-9 for binary floating
point, plus what a rounded input carries into a derived figure).
"""

from __future__ import annotations

import pytest

import hrh

EPS = 1e-9  # binary floating point on top of decimal rounding

# ------------------------------------------------------- (1) Nair et al. 2021, Gujarat CHCs

# Inputs per obstetrician-gynaecologist (O and G specialist) of a community health centre:
# ABCE columns customid, year label (fiscal year fy1..fy5 relabelled 2010..2014 in the
# Rmd), fte_hrs_q1 (weekly working hours), and the annual workloads ipc_fy*_13 (normal
# deliveries), ipc_fy*_14 (caesarean sections), opc_fy*_9 (antenatal outpatients),
# opc_fy*_10 (postnatal outpatients). Published results from Data_WISN_ABCE_raw.csv, the
# rows named 270-296 (State GJ, Cadre "O and G specialist"), printed by R to 15
# significant digits: HSA (staff for health-service activities), CAF, IAF, WISN (required
# staff). No intermediate value is rounded in the source.
GjRow = tuple[int, int, int, int, int, int, int, float, float, float, float]
GJ_OBGYN: list[GjRow] = [
    # (id, year, hours/week, normal deliveries, C-sections, ANC, PNC, HSA, CAF, IAF, WISN)
    (15, 2010, 72, 95, 0, 319, 120,
     0.0464239191663146, 1.01806451612903, 0.0532319391634981, 0.100494483966365),
    (32, 2010, 42, 141, 0, 0, 0,
     0.0148922686945501, 1.03137254901961, 0.091254752851711, 0.106614229975894),
    (38, 2010, 56, 711, 0, 120, 705,
     0.154348859315589, 1.02334630350195, 0.0684410646387833, 0.226393399269133),
    (43, 2010, 48, 34, 0, 0, 0,
     0.00314216307562315, 1.02734375, 0.0798479087452472, 0.0830759903424694),
    (103, 2010, 44, 555, 1, 816, 556,
     0.26374006221915, 1.02990388038448, 0.0871068095402696, 0.358733723032616),
    (15, 2011, 72, 104, 0, 105, 152,
     0.0301586044219124, 1.01806451612903, 0.0532319391634981, 0.0839353441814192),
    (32, 2011, 42, 91, 0, 0, 0,
     0.00961132234896494, 1.03137254901961, 0.091254752851711, 0.101167606882212),
    (38, 2011, 56, 761, 0, 129, 758,
     0.165676489226869, 1.02334630350195, 0.0684410646387833, 0.23798548746628),
    (43, 2011, 48, 50, 0, 0, 0,
     0.00462082805238699, 1.02734375, 0.0798479087452472, 0.0845950875646916),
    (103, 2011, 44, 461, 23, 913, 484,
     0.264697833851826, 1.02990388038448, 0.0871068095402696, 0.359720135753631),
    (15, 2012, 72, 133, 0, 132, 172,
     0.0362889029714125, 1.01806451612903, 0.0532319391634981, 0.0901763836079426),
    (32, 2012, 42, 124, 0, 0, 0,
     0.0130967469370511, 1.03137254901961, 0.091254752851711, 0.104762378124042),
    (38, 2012, 56, 659, 0, 80, 658,
     0.13989226869455, 1.02334630350195, 0.0684410646387833, 0.211599300695852),
    (43, 2012, 48, 72, 0, 0, 0,
     0.00665399239543726, 1.02734375, 0.0798479087452472, 0.0866838462452472),
    (103, 2012, 44, 668, 79, 1012, 747,
     0.357248818988363, 1.02990388038448, 0.0871068095402696, 0.455038754479156),
    (15, 2013, 72, 101, 0, 282, 148,
     0.0459618363610759, 1.01806451612903, 0.0532319391634981, 0.100024053858839),
    (32, 2013, 42, 148, 0, 0, 0,
     0.015631601182932, 1.03137254901961, 0.091254752851711, 0.10737675720901),
    (38, 2013, 56, 515, 0, 119, 513,
     0.115890367553866, 1.02334630350195, 0.0684410646387833, 0.187037043886513),
    (43, 2013, 48, 46, 0, 0, 0,
     0.00425116180819603, 1.02734375, 0.0798479087452472, 0.084215313259136),
    (56, 2013, 56, 620, 9, 877, 10,
     0.156646070975919, 1.02334630350195, 0.0684410646387833, 0.228744242330093),
    (103, 2013, 44, 1066, 23, 918, 1089,
     0.417941295080078, 1.02990388038448, 0.0871068095402696, 0.517546171116157),
    (15, 2014, 72, 120, 0, 341, 178,
     0.0553575200675961, 1.01806451612903, 0.0532319391634981, 0.109589466045219),
    (32, 2014, 42, 134, 0, 0, 0,
     0.0141529362061681, 1.03137254901961, 0.091254752851711, 0.105851702742779),
    (38, 2014, 56, 567, 0, 205, 567,
     0.136644486692015, 1.02334630350195, 0.0684410646387833, 0.208275694988978),
    (43, 2014, 48, 32, 0, 0, 0,
     0.00295732995352767, 1.02734375, 0.0798479087452472, 0.0828861031896916),
    (56, 2014, 56, 484, 2, 808, 93,
     0.145872940430925, 1.02334630350195, 0.0684410646387833, 0.21771959900973),
    (103, 2014, 44, 974, 43, 1036, 1017,
     0.421671563544187, 1.02990388038448, 0.0871068095402696, 0.521387989082218),
]  # fmt: skip

# Activity standards as rates of working (Rmd: "10 mins/pt 6/hr", "30 mins/pt 2/hr",
# "15 mins/pt 4/hr" twice); standard workload = rate x available working time.
GJ_RATES = [6.0, 2.0, 4.0, 4.0]
# CAS: administrative meetings, 4 h/month = 48 h/year, as a share of available time
# (Rmd: cas1 = (4*12)/awt*100; CAF = 1/(1 - cas1/100)).
GJ_SUPPORT = {"activity": ["admin meetings"], "hours": [48.0], "per": ["year"]}
# IAS: patient-review meetings, 4 h/month = 48 h/year, times the number of doctors who
# attend them: the largest teams_admin_docs2 reported by a Gujarat CHC, 3 (facilities 63
# and 87). Rmd: ias1 = vi11*4*12; IAF = ias1/awt.
GJ_ADDITIONAL = {"activity": ["patient review"], "hours_per_year": [48.0], "staff": [3.0]}
# Leave: "102 [(14+30)+30+28] days" off 365 calendar days, the rest worked at the weekly
# hours spread over 7 days (Rmd: awt = (365 - leave)/7 * fte_hrs_q1).
GJ_LEAVE_DAYS = 102


def test_gujarat_obgyn_wisn_reproduced_to_printed_precision() -> None:
    """All 27 facility-years: HSA, CAF, IAF and WISN agree to 1e-12 relative (the CSV
    prints 15 significant digits). Found: worst relative difference 4.7e-15.

    Facilities work different weekly hours, so each facility-year has its own available
    working time: one call with `available_time` given as a column."""
    services: dict[str, list[int | float]] = {
        "facility": [],
        "year": [],
        "workload": [],
        "rate": [],
        "awt": [],
    }
    for row in GJ_OBGYN:
        weekly_hours = row[2]
        awt = hrh.available_working_time(
            working_days=365, other_leave=GJ_LEAVE_DAYS, hours_per_day=weekly_hours / 7
        )
        assert awt == pytest.approx((365 - GJ_LEAVE_DAYS) / 7 * weekly_hours, rel=1e-15)
        for workload, rate in zip(row[3:7], GJ_RATES, strict=True):
            services["facility"].append(row[0])
            services["year"].append(row[1])
            services["workload"].append(workload)
            services["rate"].append(rate)
            services["awt"].append(awt)
    table = hrh.wisn(
        services,
        available_time="awt",
        support=GJ_SUPPORT,
        additional=GJ_ADDITIONAL,
        by=["facility", "year"],
    ).table
    got = {(r["facility"], r["year"]): r for r in table.iter_rows(named=True)}
    for facility, year, *_, hsa, caf, iaf, wisn_required in GJ_OBGYN:
        r = got[(facility, year)]
        assert r["service_staff"] == pytest.approx(hsa, rel=1e-12), (facility, year)
        assert r["caf"] == pytest.approx(caf, rel=1e-12), (facility, year)
        assert r["iaf"] == pytest.approx(iaf, rel=1e-12), (facility, year)
        assert r["required"] == pytest.approx(wisn_required, rel=1e-12), (facility, year)
    assert len(got) == len(GJ_OBGYN) == 27


def test_gujarat_obgyn_activities_step_by_step() -> None:
    """Facility 103, 2014, one step at a time: 1,653.14 available hours; standard
    workloads 9,918.9 deliveries, 3,306.3 C-sections and 6,612.6 outpatients a year; the
    published HSA is the sum of workload / standard workload."""
    awt = hrh.available_working_time(
        working_days=365, other_leave=GJ_LEAVE_DAYS, hours_per_day=44 / 7
    )
    r = hrh.wisn(
        {
            "activity": ["normal delivery", "caesarean section", "antenatal", "postnatal"],
            "workload": [974, 43, 1036, 1017],
            "rate": GJ_RATES,
        },
        available_time=awt,
        support=GJ_SUPPORT,
        additional=GJ_ADDITIONAL,
    )
    acts = r.activities
    assert acts["standard_workload"].to_list() == pytest.approx(
        [6 * awt, 2 * awt, 4 * awt, 4 * awt], rel=1e-15
    )
    assert acts["staff"].sum() == pytest.approx(0.421671563544187, rel=1e-12)
    t = r.table.row(0, named=True)
    assert t["required"] == pytest.approx(0.521387989082218, rel=1e-12)
    assert t["existing"] is None and t["ratio"] is None


# ------------------------------------------------- (2) Burmen et al. 2017, Kisumu HIV clinic

# Table 3, "Establish annual available working time": 4.5 consultation days a week
# (the other half day is a team meeting) x 52 weeks = 234 days; 10 public holidays ->
# 224; 30 days annual leave -> 194; 15 days sick leave -> 179 days; 8-hour working day.
KISUMU_DAYS = {"working_days": 234, "holidays": 10, "annual_leave": 30, "sick_leave": 15}
# Table 3, "Establish activity and its standard" / "Ascertain the workload": consultation
# 15 min (0.25 h); 10,000 patients x 10 appointments = 100,000 consultations, 25,000 h,
# 3,125 days of 8 h.
KISUMU_SERVICES = {"activity": ["consultation"], "workload": [100_000], "unit_time": [0.25]}
# Table 3, "Calculate category allowance": training sessions, 10 days a year; "the
# proportion of annual available working time spent on non-clinical duties (10/179".
KISUMU_TRAINING_DAYS = 10


def test_kisumu_available_working_time_day_by_day() -> None:
    """The published running totals 224, 194 and 179 days, exactly."""
    steps = [
        ({"holidays": 10}, 224),
        ({"holidays": 10, "annual_leave": 30}, 194),
        ({"holidays": 10, "annual_leave": 30, "sick_leave": 15}, 179),
    ]
    for leave, days in steps:
        hours = hrh.available_working_time(working_days=234, hours_per_day=8, **leave)
        assert hours == days * 8


def test_kisumu_baseline_staff_and_category_allowance() -> None:
    """Baseline staff requirement printed as 3125 days / 179 days = 17.46 (2 decimals):
    hrh gives 25,000 h / 1,432 h = 17.458. The training allowance, 10 of 179 days, is
    80 of 1,432 hours, the share the paper divides by; hrh's CAF is 1 / (1 - 10/179).
    The paper's CAF, IAF, total and ratio rows were not readable and are not checked."""
    awt = hrh.available_working_time(hours_per_day=8, **KISUMU_DAYS)
    r = hrh.wisn(
        KISUMU_SERVICES,
        available_time=awt,
        support={
            "activity": ["training"],
            "hours": [KISUMU_TRAINING_DAYS * 8.0],
            "per": ["year"],
        },
    )
    assert (r.activities["workload"] * r.activities["unit_time"]).sum() == 25_000
    t = r.table.row(0, named=True)
    assert t["service_staff"] * awt / 8 == pytest.approx(3125, rel=1e-12)  # days of work
    assert abs(t["service_staff"] - 17.46) <= 0.005 + EPS
    assert t["caf"] == pytest.approx(1 / (1 - KISUMU_TRAINING_DAYS / 179), rel=1e-12)
    assert t["iaf"] == 0.0


# ---------------------------------------------- (3) Joarder et al. 2020, Bangladesh UpHCs

# Table 5: (staff category, facility, current staff, required staff based on WISN,
# shortage or excess, WISN ratio); required, difference and ratio printed to 2 decimals.
UPHC = [
    ("physician", "Shailkupa", 4, 8.14, -4.14, 0.49),
    ("physician", "Kotchandpur", 3, 10.71, -7.71, 0.28),
    ("physician", "Kulaura", 4, 12.28, -8.28, 0.33),
    ("physician", "Sreemangal", 7, 11.23, -4.23, 0.62),
    ("nurse", "Shailkupa", 14, 16.08, -2.08, 0.87),
    ("nurse", "Kotchandpur", 15, 22.80, -7.8, 0.66),
    ("nurse", "Kulaura", 10, 16.08, -6.08, 0.62),
    ("nurse", "Sreemangal", 12, 20.46, -8.46, 0.59),
]


def test_bangladesh_wisn_difference_and_ratio() -> None:
    """With the required staff fixed at the printed figure (one activity whose workload
    takes exactly that many staff-years), hrh's difference (existing - required) and
    ratio (existing / required) give the printed shortage and WISN ratio. The printed
    required is rounded to +-0.005, which moves the ratio by at most
    existing x 0.005 / required^2 (< 0.0003 here) on top of its own 0.005."""
    awt = 1000.0
    services = {
        "cadre": [c for c, *_ in UPHC],
        "facility": [f for _, f, *_ in UPHC],
        "workload": [req * awt for *_, req, _, _ in UPHC],
        "unit_time": [1.0] * len(UPHC),
        "in_post": [float(n) for _, _, n, *_ in UPHC],
    }
    table = hrh.wisn(
        services, available_time=awt, existing="in_post", by=["cadre", "facility"]
    ).table
    got = {(r["cadre"], r["facility"]): r for r in table.iter_rows(named=True)}
    for cadre, facility, existing, required, difference, ratio in UPHC:
        r = got[(cadre, facility)]
        assert r["required"] == pytest.approx(required, rel=1e-12)
        assert r["existing"] == existing
        assert abs(r["difference"] - difference) <= 0.005 + EPS, (cadre, facility)
        slack = 0.005 + existing * 0.005 / required**2 + EPS
        assert abs(r["ratio"] - ratio) <= slack, (cadre, facility)
        assert r["pressure"] == pytest.approx(1 - r["ratio"], rel=1e-12)
