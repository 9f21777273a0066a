//! The names of the 62 locales Tornado knows, in English and in the language itself
//! (Tornado's `_locale_data.LOCALE_NAMES`).

/// A locale's display names: see [`LOCALE_NAMES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocaleName {
    /// The name in English, e.g. `"Spanish"` (Tornado's `name_en`).
    pub name_en: &'static str,
    /// The name in the language itself, e.g. `"Español"` (Tornado's `name`).
    pub name: &'static str,
}

const fn n(name_en: &'static str, name: &'static str) -> LocaleName {
    LocaleName { name_en, name }
}

/// Tornado's table of locale names, sorted by code: `("es_LA", LocaleName { name_en:
/// "Spanish", name: "Español" })`. The data is Tornado's as it is, including its
/// English name for `uk_UA`, `"Ukraini "`.
pub static LOCALE_NAMES: [(&str, LocaleName); 62] = [
    ("af_ZA", n("Afrikaans", "Afrikaans")),
    ("am_ET", n("Amharic", "አማርኛ")),
    ("ar_AR", n("Arabic", "العربية")),
    ("bg_BG", n("Bulgarian", "Български")),
    ("bn_IN", n("Bengali", "বাংলা")),
    ("bs_BA", n("Bosnian", "Bosanski")),
    ("ca_ES", n("Catalan", "Català")),
    ("cs_CZ", n("Czech", "Čeština")),
    ("cy_GB", n("Welsh", "Cymraeg")),
    ("da_DK", n("Danish", "Dansk")),
    ("de_DE", n("German", "Deutsch")),
    ("el_GR", n("Greek", "Ελληνικά")),
    ("en_GB", n("English (UK)", "English (UK)")),
    ("en_US", n("English (US)", "English (US)")),
    ("es_ES", n("Spanish (Spain)", "Español (España)")),
    ("es_LA", n("Spanish", "Español")),
    ("et_EE", n("Estonian", "Eesti")),
    ("eu_ES", n("Basque", "Euskara")),
    ("fa_IR", n("Persian", "فارسی")),
    ("fi_FI", n("Finnish", "Suomi")),
    ("fr_CA", n("French (Canada)", "Français (Canada)")),
    ("fr_FR", n("French", "Français")),
    ("ga_IE", n("Irish", "Gaeilge")),
    ("gl_ES", n("Galician", "Galego")),
    ("he_IL", n("Hebrew", "עברית")),
    ("hi_IN", n("Hindi", "हिन्दी")),
    ("hr_HR", n("Croatian", "Hrvatski")),
    ("hu_HU", n("Hungarian", "Magyar")),
    ("id_ID", n("Indonesian", "Bahasa Indonesia")),
    ("is_IS", n("Icelandic", "Íslenska")),
    ("it_IT", n("Italian", "Italiano")),
    ("ja_JP", n("Japanese", "日本語")),
    ("ko_KR", n("Korean", "한국어")),
    ("lt_LT", n("Lithuanian", "Lietuvių")),
    ("lv_LV", n("Latvian", "Latviešu")),
    ("mk_MK", n("Macedonian", "Македонски")),
    ("ml_IN", n("Malayalam", "മലയാളം")),
    ("ms_MY", n("Malay", "Bahasa Melayu")),
    ("nb_NO", n("Norwegian (bokmal)", "Norsk (bokmål)")),
    ("nl_NL", n("Dutch", "Nederlands")),
    ("nn_NO", n("Norwegian (nynorsk)", "Norsk (nynorsk)")),
    ("pa_IN", n("Punjabi", "ਪੰਜਾਬੀ")),
    ("pl_PL", n("Polish", "Polski")),
    ("pt_BR", n("Portuguese (Brazil)", "Português (Brasil)")),
    ("pt_PT", n("Portuguese (Portugal)", "Português (Portugal)")),
    ("ro_RO", n("Romanian", "Română")),
    ("ru_RU", n("Russian", "Русский")),
    ("sk_SK", n("Slovak", "Slovenčina")),
    ("sl_SI", n("Slovenian", "Slovenščina")),
    ("sq_AL", n("Albanian", "Shqip")),
    ("sr_RS", n("Serbian", "Српски")),
    ("sv_SE", n("Swedish", "Svenska")),
    ("sw_KE", n("Swahili", "Kiswahili")),
    ("ta_IN", n("Tamil", "தமிழ்")),
    ("te_IN", n("Telugu", "తెలుగు")),
    ("th_TH", n("Thai", "ภาษาไทย")),
    ("tl_PH", n("Filipino", "Filipino")),
    ("tr_TR", n("Turkish", "Türkçe")),
    ("uk_UA", n("Ukraini ", "Українська")),
    ("vi_VN", n("Vietnamese", "Tiếng Việt")),
    ("zh_CN", n("Chinese (Simplified)", "中文(简体)")),
    ("zh_TW", n("Chinese (Traditional)", "中文(繁體)")),
];

/// The names of the locale `code` (exactly as in [`LOCALE_NAMES`], e.g. `"fr_FR"`), or
/// `None` for a code that is not in the table (`"fr"`).
///
/// ```
/// assert_eq!(tornado_locale::locale_name("es_LA").map(|n| n.name), Some("Español"));
/// assert_eq!(tornado_locale::locale_name("es"), None);
/// ```
pub fn locale_name(code: &str) -> Option<&'static LocaleName> {
    LOCALE_NAMES
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .ok()
        .and_then(|i| LOCALE_NAMES.get(i))
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_complete() {
        assert_eq!(LOCALE_NAMES.len(), 62);
        assert!(LOCALE_NAMES.windows(2).all(|w| w[0].0 < w[1].0));
        for (code, name) in &LOCALE_NAMES {
            assert_eq!(locale_name(code), Some(name));
        }
        assert_eq!(locale_name("zz_ZZ"), None);
        assert_eq!(locale_name("fa_IR").map(|n| n.name_en), Some("Persian"));
    }
}
