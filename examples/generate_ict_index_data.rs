//! Generates the SYNTHETIC raw dataset of the Vietnam ICT Index rule set: the 63 provinces
//! (real names), invented indicator values, for 2018 and 2019.
//!
//! `cargo run --example generate_ict_index_data -- examples/ict-index`
//! writes `provinces-2018.json` and `provinces-2019.json` there. The output is
//! deterministic: the same files on every run.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

/// The 63 provinces and centrally-run cities (2019), with a rough development level
/// in [0, 1] that shapes their invented values.
const PROVINCES: [(&str, f64); 63] = [
    ("An Giang", 0.45),
    ("Bà Rịa - Vũng Tàu", 0.70),
    ("Bắc Giang", 0.50),
    ("Bắc Kạn", 0.25),
    ("Bạc Liêu", 0.40),
    ("Bắc Ninh", 0.75),
    ("Bến Tre", 0.45),
    ("Bình Định", 0.55),
    ("Bình Dương", 0.80),
    ("Bình Phước", 0.45),
    ("Bình Thuận", 0.50),
    ("Cà Mau", 0.40),
    ("Cần Thơ", 0.70),
    ("Cao Bằng", 0.20),
    ("Đà Nẵng", 0.98),
    ("Đắk Lắk", 0.45),
    ("Đắk Nông", 0.35),
    ("Điện Biên", 0.20),
    ("Đồng Nai", 0.70),
    ("Đồng Tháp", 0.50),
    ("Gia Lai", 0.35),
    ("Hà Giang", 0.20),
    ("Hà Nam", 0.55),
    ("Hà Nội", 0.92),
    ("Hà Tĩnh", 0.55),
    ("Hải Dương", 0.60),
    ("Hải Phòng", 0.80),
    ("Hậu Giang", 0.40),
    ("Hòa Bình", 0.35),
    ("Hưng Yên", 0.60),
    ("Khánh Hòa", 0.70),
    ("Kiên Giang", 0.45),
    ("Kon Tum", 0.25),
    ("Lai Châu", 0.15),
    ("Lâm Đồng", 0.60),
    ("Lạng Sơn", 0.40),
    ("Lào Cai", 0.45),
    ("Long An", 0.55),
    ("Nam Định", 0.55),
    ("Nghệ An", 0.55),
    ("Ninh Bình", 0.55),
    ("Ninh Thuận", 0.40),
    ("Phú Thọ", 0.55),
    ("Phú Yên", 0.45),
    ("Quảng Bình", 0.50),
    ("Quảng Nam", 0.55),
    ("Quảng Ngãi", 0.50),
    ("Quảng Ninh", 0.90),
    ("Quảng Trị", 0.45),
    ("Sóc Trăng", 0.40),
    ("Sơn La", 0.30),
    ("Tây Ninh", 0.50),
    ("Thái Bình", 0.50),
    ("Thái Nguyên", 0.60),
    ("Thanh Hóa", 0.55),
    ("Thừa Thiên Huế", 0.95),
    ("Tiền Giang", 0.50),
    ("TP. Hồ Chí Minh", 0.93),
    ("Trà Vinh", 0.45),
    ("Tuyên Quang", 0.40),
    ("Vĩnh Long", 0.50),
    ("Vĩnh Phúc", 0.60),
    ("Yên Bái", 0.35),
];

/// (field, lowest value, highest value, decimals, is a percentage).
const FIELDS: [(&str, f64, f64, u32); 27] = [
    ("fixed_phones_per_100", 1.0, 12.0, 2),
    ("mobile_phones_per_100", 90.0, 180.0, 2),
    ("internet_subscriptions_per_100", 20.0, 95.0, 2),
    ("fixed_broadband_per_100", 5.0, 40.0, 2),
    ("wireless_broadband_per_100", 30.0, 110.0, 2),
    ("households_with_computer", 10.0, 75.0, 1),
    ("enterprises_with_broadband", 60.0, 100.0, 1),
    ("computers_per_staff", 0.6, 1.4, 2),
    ("bandwidth_per_staff", 2.0, 60.0, 1),
    ("agencies_on_wan", 40.0, 100.0, 1),
    ("security_solutions", 30.0, 100.0, 1),
    ("adult_literacy", 85.0, 100.0, 1),
    ("school_attendance", 88.0, 100.0, 1),
    ("schools_teaching_it", 50.0, 100.0, 1),
    ("share_it_dedicated_staff", 40.0, 100.0, 1),
    ("share_it_staff_with_degree", 50.0, 100.0, 1),
    ("share_infosec_staff", 10.0, 100.0, 1),
    ("share_trained_open_source", 10.0, 90.0, 1),
    ("share_trained_infosec", 10.0, 95.0, 1),
    ("email_use", 50.0, 100.0, 1),
    ("basic_applications", 40.0, 100.0, 1),
    ("specialised_databases", 10.0, 90.0, 1),
    ("electronic_documents", 30.0, 100.0, 1),
    ("open_source_use", 10.0, 90.0, 1),
    ("services_level_3_4", 5.0, 60.0, 1),
    ("dossiers_online", 1.0, 40.0, 1),
    ("portal_compliance", 60.0, 100.0, 1),
];

/// A fixed pseudo-random sequence in [0, 1).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Rounds to `decimals` and writes the number as a decimal string, the way statistical
/// annexes print it.
fn decimal(v: f64, decimals: u32) -> Value {
    Value::String(format!("{:.*}", decimals as usize, v))
}

fn year(year: u32, growth: f64, rng: &mut Lcg) -> Value {
    let mut units = Vec::new();
    for (name, level) in PROVINCES {
        let mut record = Map::new();
        record.insert("unit".into(), json!(name));
        for (field, lo, hi, decimals) in FIELDS {
            let noise = (rng.next() - 0.5) * 0.35;
            let position = (level * growth + noise).clamp(0.02, 1.0);
            record.insert(field.into(), decimal(lo + (hi - lo) * position, decimals));
        }
        // The 2018 indicator dropped in 2019: universities and colleges offering IT majors.
        // Drawn from a generator of its own so the other values stay as they were.
        let mut own = Lcg(u64::from(year) * 1_000 + record.len() as u64 + name.len() as u64);
        let universities = (level * growth + (own.next() - 0.5) * 0.35).clamp(0.02, 1.0);
        record.insert(
            "universities_teaching_it".into(),
            decimal(20.0 + 80.0 * universities, 1),
        );
        // Real submissions have gaps: two provinces did not report one indicator each.
        if name == "Lai Châu" {
            record.insert("bandwidth_per_staff".into(), Value::Null);
        }
        if name == "Kon Tum" && year == 2019 {
            record.remove("households_with_computer");
        }
        units.push(Value::Object(record));
    }
    json!({
        "source": "SYNTHETIC: generated by examples/generate_ict_index_data.rs; real province names, every number invented",
        "year": year,
        "units": units,
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "examples/ict-index".into()),
    );
    std::fs::create_dir_all(&dir)?;
    let mut rng = Lcg(2019);
    for (y, growth) in [(2018, 0.92), (2019, 1.0)] {
        let path = dir.join(format!("provinces-{y}.json"));
        std::fs::write(
            &path,
            serde_json::to_string_pretty(&year(y, growth, &mut rng))? + "\n",
        )?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
