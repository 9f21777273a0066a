# Writes the .po sources of tests/data/gettext_dates (run once; the .po files are committed).
import os
HEAD = '''msgid ""
msgstr ""
"Project-Id-Version: tornado-rs tests\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: %s\\n"
'''
def q(s): return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'
def write(lang, plural_forms, singles, plurals):
    d = os.path.join("gettext_dates", lang, "LC_MESSAGES")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "dates.po"), "w", encoding="utf-8") as f:
        f.write("# %s date and list phrases for the tornado-rs vector tests.\n" % lang)
        f.write(HEAD % plural_forms)
        for k, v in singles:
            f.write("\nmsgid %s\nmsgstr %s\n" % (q(k), q(v)))
        for (one, many), forms in plurals:
            f.write("\nmsgid %s\nmsgid_plural %s\n" % (q(one), q(many)))
            for i, form in enumerate(forms):
                f.write("msgstr[%d] %s\n" % (i, q(form)))
REL = [("1 second ago", "%(seconds)d seconds ago"), ("1 minute ago", "%(minutes)d minutes ago"), ("1 hour ago", "%(hours)d hours ago")]
MONTHS = "January February March April May June July August September October November December".split()
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
fr_months = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
fr_days = "lundi mardi mercredi jeudi vendredi samedi dimanche".split()
write("fr_FR", "nplurals=2; plural=(n > 1);",
      list(zip(MONTHS, fr_months)) + list(zip(DAYS, fr_days)) + [
          ("yesterday", "hier"), ("yesterday at %(time)s", "hier à %(time)s"),
          ("%(weekday)s at %(time)s", "%(weekday)s à %(time)s"),
          ("%(month_name)s %(day)s", "%(day)s %(month_name)s"),
          ("%(month_name)s %(day)s at %(time)s", "%(day)s %(month_name)s à %(time)s"),
          ("%(month_name)s %(day)s, %(year)s", "%(day)s %(month_name)s %(year)s"),
          ("%(month_name)s %(day)s, %(year)s at %(time)s", "%(day)s %(month_name)s %(year)s à %(time)s"),
          ("%(weekday)s, %(month_name)s %(day)s", "%(weekday)s %(day)s %(month_name)s"),
          ("%(commas)s and %(last)s", "%(commas)s et %(last)s")],
      [(REL[0], ["il y a %(seconds)d seconde", "il y a %(seconds)d secondes"]),
       (REL[1], ["il y a %(minutes)d minute", "il y a %(minutes)d minutes"]),
       (REL[2], ["il y a %(hours)d heure", "il y a %(hours)d heures"])])
ru_months = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()
write("ru_RU", "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
      list(zip(MONTHS, ru_months)) + [("Monday", "понедельник"), ("Sunday", "воскресенье"),
          ("yesterday at %(time)s", "вчера в %(time)s"),
          ("%(month_name)s %(day)s", "%(day)s %(month_name)s"),
          ("%(month_name)s %(day)s, %(year)s at %(time)s", "%(day)s %(month_name)s %(year)s г. в %(time)s"),
          ("%(commas)s and %(last)s", "%(commas)s и %(last)s")],
      [(REL[0], ["%(seconds)d секунду назад", "%(seconds)d секунды назад", "%(seconds)d секунд назад"]),
       (REL[1], ["%(minutes)d минуту назад", "%(minutes)d минуты назад", "%(minutes)d минут назад"]),
       (REL[2], ["%(hours)d час назад", "%(hours)d часа назад", "%(hours)d часов назад"])])
write("pl_PL", "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
      [("March", "marca"), ("yesterday", "wczoraj"), ("%(commas)s and %(last)s", "%(commas)s i %(last)s")],
      [(REL[0], ["%(seconds)d sekundę temu", "%(seconds)d sekundy temu", "%(seconds)d sekund temu"]),
       (REL[1], ["%(minutes)d minutę temu", "%(minutes)d minuty temu", "%(minutes)d minut temu"]),
       (REL[2], ["%(hours)d godzinę temu", "%(hours)d godziny temu", "%(hours)d godzin temu"])])
write("cs_CZ", "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;",
      [("%(commas)s and %(last)s", "%(commas)s a %(last)s")],
      [(REL[0], ["před %(seconds)d sekundou", "před %(seconds)d sekundami", "před %(seconds)d sekundami!"]),
       (REL[1], ["před %(minutes)d minutou", "před %(minutes)d minutami", "před %(minutes)d minutami!"]),
       (REL[2], ["před %(hours)d hodinou", "před %(hours)d hodinami", "před %(hours)d hodinami!"])])
write("ar_AR", "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);",
      [("%(commas)s and %(last)s", "%(commas)s و%(last)s")],
      [(REL[0], ["الآن", "منذ ثانية", "منذ ثانيتين", "منذ %(seconds)d ثوان", "منذ %(seconds)d ثانية", "منذ %(seconds)d ثانية!"]),
       (REL[1], ["الآن", "منذ دقيقة", "منذ دقيقتين", "منذ %(minutes)d دقائق", "منذ %(minutes)d دقيقة", "منذ %(minutes)d دقيقة!"]),
       (REL[2], ["الآن", "منذ ساعة", "منذ ساعتين", "منذ %(hours)d ساعات", "منذ %(hours)d ساعة", "منذ %(hours)d ساعة!"])])
write("ja_JP", "nplurals=1; plural=0;",
      [("January", "1月"), ("April", "4月"), ("%(month_name)s %(day)s", "%(month_name)s%(day)s日"),
       ("%(month_name)s %(day)s, %(year)s at %(time)s", "%(year)s年%(month_name)s%(day)s日 %(time)s"),
       ("%(commas)s and %(last)s", "%(commas)s、%(last)s")],
      [(REL[0], ["%(seconds)d秒前"]), (REL[1], ["%(minutes)d分前"]), (REL[2], ["%(hours)d時間前"])])
