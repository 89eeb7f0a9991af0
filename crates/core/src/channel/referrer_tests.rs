//! Real referrers, as the tracker reads them and the server settles them: the channel,
//! the source name stored and the medium. Written from the providers' public host names
//! (webmail, search engines, social networks and their link redirectors, AI assistants),
//! not from any other project's test suite.

use super::hosts::{registrable_domain, settle_referrer};
use super::*;
use crate::touch::Visit;
use proptest::prelude::*;

const PAGE: &str = "https://acme.example/pricing";

/// `(referrer, channel id, source stored, medium stored)`.
#[rustfmt::skip]
const REFERRERS: &[(&str, &str, &str, &str)] = &[
    // --- Webmail: the big providers, every server of theirs, their apps and redirectors.
    ("https://mail.google.com/mail/u/0/", "email", "gmail", "email"),
    ("https://inbox.google.com/", "email", "gmail", "email"),
    ("android-app://com.google.android.gm/", "email", "gmail", "email"),
    ("https://outlook.live.com/mail/0/inbox", "email", "outlook", "email"),
    ("https://outlook.office.com/mail/", "email", "outlook", "email"),
    ("https://outlook.office365.com/owa/", "email", "outlook", "email"),
    ("https://outlook.cloud.microsoft/mail/", "email", "outlook", "email"),
    ("https://co106w.col106.mail.live.com/default.aspx", "email", "outlook", "email"),
    ("https://bay171.mail.live.com/mail/", "email", "outlook", "email"),
    ("https://snt148.mail.live.com/", "email", "outlook", "email"),
    ("https://blu180.mail.live.com/?tid=x", "email", "outlook", "email"),
    ("https://mail.live.com/", "email", "outlook", "email"),
    ("android-app://com.microsoft.office.outlook/", "email", "outlook", "email"),
    ("https://mail.yahoo.com/d/folders/1", "email", "yahoo_mail", "email"),
    ("https://uk.mail.yahoo.com/", "email", "yahoo_mail", "email"),
    ("https://de.mg40.mail.yahoo.com/neo/launch", "email", "yahoo_mail", "email"),
    ("https://us-mg5.mail.yahoo.com/", "email", "yahoo_mail", "email"),
    ("https://mg.mail.yahoo.net/", "email", "yahoo_mail", "email"),
    ("https://us.mg205.mail.yahoo.net/dc/launch", "email", "yahoo_mail", "email"),
    ("https://mail.yahoo.co.jp/", "email", "yahoo_mail", "email"),
    ("https://mail.yahoo.de/", "email", "yahoo_mail", "email"),
    ("https://mail.aol.com/webmail-std/en-us/suite", "email", "aol_mail", "email"),
    ("https://webmail.aol.com/", "email", "aol_mail", "email"),
    ("https://mail.aol.co.uk/", "email", "aol_mail", "email"),
    ("https://www.icloud.com/mail/", "email", "icloud_mail", "email"),
    ("https://mail.proton.me/u/0/inbox", "email", "proton_mail", "email"),
    ("https://mail.protonmail.com/", "email", "proton_mail", "email"),
    ("https://app.fastmail.com/mail/Inbox/", "email", "fastmail", "email"),
    ("https://mail.zoho.com/zm/", "email", "zoho_mail", "email"),
    ("https://mail.zoho.eu/", "email", "zoho_mail", "email"),
    ("https://app.tuta.com/mail", "email", "tuta", "email"),
    ("https://posteo.de/webmail/", "email", "posteo", "email"),
    ("https://office.mailbox.org/appsuite/", "email", "mailbox.org", "email"),
    ("https://mail.infomaniak.com/", "email", "infomaniak", "email"),
    ("https://mail.infomaniak.ch/", "email", "infomaniak", "email"),
    ("https://ksuite.infomaniak.com/mail", "email", "infomaniak", "email"),
    ("https://navigator.gmx.net/mail", "email", "gmx", "email"),
    ("https://3c.gmx.net/mail/client/", "email", "gmx", "email"),
    ("https://lightmailer.gmx.at/", "email", "gmx", "email"),
    ("https://navigator-bs.gmx.com/", "email", "gmx", "email"),
    ("https://www.gmx.ch/", "email", "gmx", "email"),
    ("https://deref-gmx.net/mail/client/abc/dereferrer/?redirectUrl=x", "email", "gmx", "email"),
    ("https://deref-gmx.com/mail/client/", "email", "gmx", "email"),
    ("https://3c-bs.web.de/mail/client/", "email", "web.de", "email"),
    ("https://deref-web.de/mail/client/", "email", "web.de", "email"),
    ("https://deref-web-02.de/mail/client/", "email", "web.de", "email"),
    ("https://navigator-lxa.mail.com/", "email", "mail.com", "email"),
    ("https://3c-lxa.mail.com/mail/client/", "email", "mail.com", "email"),
    ("https://deref-mail.com/mail/client/", "email", "mail.com", "email"),
    ("https://deref-1und1.de/mail/client/", "email", "ionos", "email"),
    ("https://deref-1und1-02.de/mail/client/", "email", "ionos", "email"),
    ("https://deref-acme-mail.example/x", "email", "deref-acme-mail.example", "email"),
    ("https://email.ionos.de/appsuite/", "email", "ionos", "email"),
    ("https://email.ionos.fr/", "email", "ionos", "email"),
    ("https://email.ionos.co.uk/", "email", "ionos", "email"),
    ("https://email.ionos.es/", "email", "ionos", "email"),
    ("https://mailbusiness.ionos.fr/appsuite/", "email", "ionos", "email"),
    ("https://mailbusiness.ionos.de/", "email", "ionos", "email"),
    ("https://webmail.ionos.com/", "email", "ionos", "email"),
    ("https://email.1und1.de/", "email", "ionos", "email"),
    ("https://email.t-online.de/em", "email", "t-online", "email"),
    ("https://webmail.freenet.de/", "email", "freenet", "email"),
    ("https://www.mail.de/", "email", "mail.de", "email"),
    ("https://webmail.vodafone.de/", "email", "vodafone", "email"),
    ("https://webmail.vodafone.it/", "email", "vodafone", "email"),
    ("https://email.vodafone.es/", "email", "vodafone", "email"),
    ("https://www.kabelmail.de/", "email", "vodafone", "email"),
    ("https://mail.orange.fr/", "email", "orange", "email"),
    ("https://messagerie.orange.fr/", "email", "orange", "email"),
    ("https://mail01.orange.fr/webmail/", "email", "orange.fr", "email"),
    ("https://webmail1f.orange.fr/webmail/fr_FR/read.html", "email", "orange.fr", "email"),
    ("https://bluewin.ch/de/email", "email", "bluewin", "email"),
    ("https://mail.bluewin.ch/", "email", "bluewin", "email"),
    ("https://webmail.upcmail.ch/", "email", "upc", "email"),
    ("https://mail.upc.ch/", "email", "upc", "email"),
    ("https://webmail.sunrise.ch/", "email", "sunrise.ch", "email"),
    ("https://webmail.sfr.fr/", "email", "sfr_mail", "email"),
    ("https://zimbra.free.fr/", "email", "free_mail", "email"),
    ("https://webmail.laposte.net/", "email", "laposte", "email"),
    ("https://mail.tim.it/", "email", "tim", "email"),
    ("https://webmail.tim.it/", "email", "tim", "email"),
    ("https://mail.libero.it/appsuite/", "email", "libero", "email"),
    ("https://mail1.libero.it/", "email", "libero", "email"),
    ("https://mail.virgilio.it/", "email", "virgilio_mail", "email"),
    ("https://webmail.aruba.it/", "email", "aruba", "email"),
    ("https://webmail.ziggo.nl/", "email", "ziggo", "email"),
    ("https://mail.kpnmail.nl/", "email", "kpn", "email"),
    ("https://webmail.telenet.be/", "email", "telenet", "email"),
    ("https://poczta.onet.pl/", "email", "onet_mail", "email"),
    ("https://poczta.wp.pl/", "email", "wp_mail", "email"),
    ("https://poczta.interia.pl/", "email", "interia_mail", "email"),
    ("https://email.seznam.cz/", "email", "seznam_mail", "email"),
    ("https://www.email.cz/", "email", "seznam_mail", "email"),
    ("https://webmail.telia.se/", "email", "telia", "email"),
    ("https://mail.btinternet.com/", "email", "bt_mail", "email"),
    ("https://mail.virginmedia.com/", "email", "virgin_media", "email"),
    ("https://connect.xfinity.com/appsuite/", "email", "xfinity", "email"),
    ("https://webmail.earthlink.net/", "email", "earthlink", "email"),
    ("https://mail.rogers.com/", "email", "rogers", "email"),
    ("https://e.mail.ru/inbox/", "email", "mail.ru", "email"),
    ("https://touch.mail.ru/", "email", "mail.ru", "email"),
    ("https://mail.yandex.ru/", "email", "yandex_mail", "email"),
    ("https://mail.yandex.com.tr/", "email", "yandex_mail", "email"),
    ("https://mail.rambler.ru/", "email", "rambler_mail", "email"),
    ("https://mail.ukr.net/", "email", "ukr.net", "email"),
    ("https://mail.naver.com/", "email", "naver_mail", "email"),
    ("https://mail.daum.net/", "email", "daum_mail", "email"),
    ("https://mail.qq.com/cgi-bin/frame_html", "email", "qq_mail", "email"),
    ("https://wx.mail.qq.com/", "email", "qq_mail", "email"),
    ("https://exmail.qq.com/", "email", "qq_mail", "email"),
    ("https://mail.163.com/", "email", "netease_mail", "email"),
    ("https://mail.126.com/", "email", "netease_mail", "email"),
    // Any provider's webmail server, by the shape of its host.
    ("https://webmail.acme-isp.example/", "email", "acme-isp.example", "email"),
    ("https://mail.example.co.uk/owa/", "email", "example.co.uk", "email"),
    ("https://owa.example.org/owa/", "email", "example.org", "email"),
    ("https://webmail2.example.com/", "email", "example.com", "email"),
    ("https://roundcube.example.net/", "email", "example.net", "email"),
    // --- Organic Search: big engines, portals, toolbars, meta-search, regional engines.
    ("https://www.google.com/", "organic_search", "google", "organic"),
    ("https://www.google.co.uk/search?q=crm", "organic_search", "google", "organic"),
    ("https://www.google.com.au/", "organic_search", "google", "organic"),
    ("https://images.google.de/", "organic_search", "google", "organic"),
    ("https://www.bing.com/search?q=crm", "organic_search", "bing", "organic"),
    ("https://cn.bing.com/", "organic_search", "bing", "organic"),
    ("https://search.msn.com/", "organic_search", "bing", "organic"),
    ("https://search.yahoo.com/search?p=crm", "organic_search", "yahoo", "organic"),
    ("https://de.search.yahoo.com/search", "organic_search", "yahoo", "organic"),
    ("https://uk.search.yahoo.com/", "organic_search", "yahoo", "organic"),
    ("https://r.search.yahoo.com/_ylt=x/RU=y", "organic_search", "yahoo", "organic"),
    ("https://search.yahoo.co.jp/search?p=crm", "organic_search", "yahoo", "organic"),
    ("https://www.yahoo.com/", "organic_search", "yahoo", "organic"),
    ("https://aolsearch.com/search?q=crm", "organic_search", "aol", "organic"),
    ("https://search.aol.com/aol/search?q=crm", "organic_search", "aol", "organic"),
    ("https://search.aol.co.uk/aol/search", "organic_search", "aol", "organic"),
    ("https://suche.aol.de/aol/suche", "organic_search", "aol", "organic"),
    ("https://www.ask.com/web?q=crm", "organic_search", "ask", "organic"),
    ("https://search.tb.ask.com/search/GGmain.jhtml", "organic_search", "ask", "organic"),
    ("https://uk.ask.com/", "organic_search", "ask", "organic"),
    ("https://www.search-results.com/web?q=crm", "organic_search", "ask", "organic"),
    ("https://search.avg.com/search?q=crm", "organic_search", "avg", "organic"),
    ("https://isearch.avg.com/search", "organic_search", "avg", "organic"),
    ("https://search.babylon.com/?q=crm", "organic_search", "babylon", "organic"),
    ("https://www.ixquick.com/do/search", "organic_search", "ixquick", "organic"),
    ("https://ixquick.de/do/metasearch.pl", "organic_search", "ixquick", "organic"),
    ("https://www.startpage.com/do/search", "organic_search", "startpage", "organic"),
    ("https://duckduckgo.com/", "organic_search", "duckduckgo", "organic"),
    ("https://html.duckduckgo.com/html", "organic_search", "duckduckgo", "organic"),
    ("https://www.ecosia.org/search?q=crm", "organic_search", "ecosia", "organic"),
    ("https://www.qwant.com/?q=crm", "organic_search", "qwant", "organic"),
    ("https://lite.qwant.com/", "organic_search", "qwant", "organic"),
    ("https://search.brave.com/search?q=crm", "organic_search", "brave", "organic"),
    ("https://kagi.com/search?q=crm", "organic_search", "kagi", "organic"),
    ("https://www.mojeek.com/search?q=crm", "organic_search", "mojeek", "organic"),
    ("https://metager.de/meta/meta.ger3", "organic_search", "metager", "organic"),
    ("https://swisscows.com/web?query=crm", "organic_search", "swisscows", "organic"),
    ("https://www.dogpile.com/serp?q=crm", "organic_search", "dogpile", "organic"),
    ("https://www.webcrawler.com/serp", "organic_search", "webcrawler", "organic"),
    ("https://www.info.com/serp?q=crm", "organic_search", "info.com", "organic"),
    ("https://search.lycos.com/web/?q=crm", "organic_search", "lycos", "organic"),
    ("https://www.presearch.com/search?q=crm", "organic_search", "presearch", "organic"),
    ("https://suche.1und1.de/web?q=crm", "organic_search", "1und1", "organic"),
    ("https://suche.gmx.net/web?q=crm", "organic_search", "gmx_search", "organic"),
    ("https://suche.web.de/web?q=crm", "organic_search", "web.de_search", "organic"),
    ("https://suche.t-online.de/fast-cgi/tsc", "organic_search", "t-online_search", "organic"),
    ("https://lemoteur.orange.fr/?kw=crm", "organic_search", "orange_search", "organic"),
    ("https://search.ke.voila.fr/", "organic_search", "voila", "organic"),
    ("https://www.voila.fr/", "organic_search", "voila", "organic"),
    ("https://search.bluewin.ch/", "organic_search", "bluewin_search", "organic"),
    ("https://www.search.ch/?q=crm", "organic_search", "search.ch", "organic"),
    ("https://arianna.libero.it/search/abin/integrata.cgi", "organic_search", "libero_search", "organic"),
    ("https://szukaj.onet.pl/", "organic_search", "onet_search", "organic"),
    ("https://szukaj.wp.pl/szukaj.html", "organic_search", "wp_search", "organic"),
    ("https://search.seznam.cz/?q=crm", "organic_search", "seznam", "organic"),
    ("https://www.najdi.si/", "organic_search", "najdi.si", "organic"),
    ("https://go.mail.ru/search?q=crm", "organic_search", "go.mail.ru", "organic"),
    ("https://nova.rambler.ru/search", "organic_search", "rambler_search", "organic"),
    ("https://yandex.ru/search/?text=crm", "organic_search", "yandex", "organic"),
    ("https://yandex.com.tr/", "organic_search", "yandex", "organic"),
    ("https://ya.ru/", "organic_search", "yandex", "organic"),
    ("https://meta.ua/search.asp?q=crm", "organic_search", "meta.ua", "organic"),
    ("https://www.baidu.com/link?url=x", "organic_search", "baidu", "organic"),
    ("https://m.baidu.com/", "organic_search", "baidu", "organic"),
    ("https://www.sogou.com/web?query=crm", "organic_search", "sogou", "organic"),
    ("https://m.sogou.com/", "organic_search", "sogou", "organic"),
    ("https://www.so.com/s?q=crm", "organic_search", "so.com", "organic"),
    ("https://m.sm.cn/s?q=crm", "organic_search", "shenma", "organic"),
    ("https://search.naver.com/search.naver?query=crm", "organic_search", "naver", "organic"),
    ("https://m.search.naver.com/", "organic_search", "naver", "organic"),
    ("https://search.daum.net/search?q=crm", "organic_search", "daum", "organic"),
    ("https://search.zum.com/search.zum", "organic_search", "zum", "organic"),
    ("https://coccoc.com/search", "organic_search", "coccoc", "organic"),
    ("https://search.goo.ne.jp/web.jsp", "organic_search", "goo", "organic"),
    ("https://www.petalsearch.com/search", "organic_search", "petal", "organic"),
    ("https://www.kvasir.no/", "organic_search", "kvasir", "organic"),
    ("android-app://com.google.android.googlequicksearchbox/", "organic_search", "google", "organic"),
    // --- Organic Social: networks, chat tools and their link redirectors, link-in-bio pages.
    ("https://www.facebook.com/", "organic_social", "facebook", "social"),
    ("https://l.facebook.com/l.php?u=x", "organic_social", "facebook", "social"),
    ("https://lm.facebook.com/l.php?u=x", "organic_social", "facebook", "social"),
    ("https://m.facebook.com/story.php", "organic_social", "facebook", "social"),
    ("https://l.messenger.com/l.php?u=x", "organic_social", "messenger", "social"),
    ("https://l.workplace.com/l.php?u=x", "organic_social", "workplace", "social"),
    ("https://lm.workplace.com/", "organic_social", "workplace", "social"),
    ("https://acme.workplace.com/groups/1", "organic_social", "workplace", "social"),
    ("https://www.instagram.com/", "organic_social", "instagram", "social"),
    ("https://l.instagram.com/?u=x", "organic_social", "instagram", "social"),
    ("https://www.threads.net/@acme", "organic_social", "threads", "social"),
    ("https://l.threads.com/?u=x", "organic_social", "threads", "social"),
    ("https://l.threads.net/?u=x", "organic_social", "threads", "social"),
    ("https://www.linkedin.com/feed/", "organic_social", "linkedin", "social"),
    ("https://lnkd.in/abc", "organic_social", "linkedin", "social"),
    ("https://t.co/xyz", "organic_social", "twitter", "social"),
    ("https://x.com/acme", "organic_social", "twitter", "social"),
    ("https://mobile.twitter.com/acme", "organic_social", "twitter", "social"),
    ("https://acme.tumblr.com/post/1", "organic_social", "tumblr", "social"),
    ("https://www.tumblr.com/dashboard", "organic_social", "tumblr", "social"),
    ("https://t.umblr.com/redirect?z=x", "organic_social", "tumblr", "social"),
    ("https://www.reddit.com/r/crm", "organic_social", "reddit", "social"),
    ("https://out.reddit.com/t3_x", "organic_social", "reddit", "social"),
    ("https://old.reddit.com/", "organic_social", "reddit", "social"),
    ("https://www.pinterest.com/", "organic_social", "pinterest", "social"),
    ("https://de.pinterest.com/", "organic_social", "pinterest", "social"),
    ("https://www.pinterest.co.uk/", "organic_social", "pinterest", "social"),
    ("https://www.tiktok.com/@acme", "organic_social", "tiktok", "social"),
    ("https://bsky.app/profile/acme", "organic_social", "bluesky", "social"),
    ("https://go.bsky.app/x", "organic_social", "bluesky", "social"),
    ("https://www.xing.com/", "organic_social", "xing", "social"),
    ("https://vk.com/away.php?to=x", "organic_social", "vk", "social"),
    ("https://m.vk.com/", "organic_social", "vk", "social"),
    ("https://ok.ru/", "organic_social", "odnoklassniki", "social"),
    ("https://odnoklassniki.ru/", "organic_social", "odnoklassniki", "social"),
    ("https://my.mail.ru/", "organic_social", "moy_mir", "social"),
    ("https://weibo.com/", "organic_social", "weibo", "social"),
    ("https://t.cn/abc", "organic_social", "weibo", "social"),
    ("https://teams.microsoft.com/l/message/1", "organic_social", "teams", "social"),
    ("https://teams.live.com/", "organic_social", "teams", "social"),
    ("https://statics.teams.cdn.office.net/evergreen-assets/safelinks/1/atp-safelinks.html", "organic_social", "teams", "social"),
    ("https://app.slack.com/client/T1", "organic_social", "slack", "social"),
    ("https://acme.slack.com/archives/C1", "organic_social", "slack", "social"),
    ("https://slack-redir.net/link?url=x", "organic_social", "slack", "social"),
    ("https://discord.com/channels/1", "organic_social", "discord", "social"),
    ("https://web.telegram.org/k/", "organic_social", "telegram", "social"),
    ("https://t.me/acme", "organic_social", "telegram", "social"),
    ("https://web.whatsapp.com/", "organic_social", "whatsapp", "social"),
    ("https://mastodon.social/@acme", "organic_social", "mastodon", "social"),
    ("https://news.ycombinator.com/item?id=1", "organic_social", "hacker_news", "social"),
    ("https://www.quora.com/", "organic_social", "quora", "social"),
    ("https://medium.com/@acme/post", "organic_social", "medium.com", "social"),
    ("https://acme.medium.com/post", "organic_social", "medium.com", "social"),
    ("https://flipboard.com/@acme", "organic_social", "flipboard", "social"),
    ("https://lnk.bio/acme", "organic_social", "lnk.bio", "social"),
    ("https://linktr.ee/acme", "organic_social", "linktree", "social"),
    ("https://beacons.ai/acme", "organic_social", "beacons", "social"),
    ("https://answers.yahoo.com/question", "organic_social", "answers.yahoo.com", "social"),
    ("android-app://com.linkedin.android/", "organic_social", "linkedin", "social"),
    // --- AI Assistants.
    ("https://chatgpt.com/", "ai_assistants", "chatgpt", "referral"),
    ("https://chatgpt.com/c/6789", "ai_assistants", "chatgpt", "referral"),
    ("https://chat.openai.com/", "ai_assistants", "chatgpt", "referral"),
    ("https://www.perplexity.ai/search/crm-x", "ai_assistants", "perplexity", "referral"),
    ("https://perplexity.ai/", "ai_assistants", "perplexity", "referral"),
    ("https://copilot.microsoft.com/", "ai_assistants", "copilot", "referral"),
    ("https://copilot.cloud.microsoft/", "ai_assistants", "copilot", "referral"),
    ("https://edgeservices.bing.com/edgesvc/chat", "ai_assistants", "copilot", "referral"),
    ("https://gemini.google.com/app", "ai_assistants", "gemini", "referral"),
    ("https://bard.google.com/", "ai_assistants", "gemini", "referral"),
    ("https://notebooklm.google.com/", "ai_assistants", "notebooklm", "referral"),
    ("https://claude.ai/chat/1", "ai_assistants", "claude", "referral"),
    ("https://chat.deepseek.com/", "ai_assistants", "deepseek", "referral"),
    ("https://www.meta.ai/", "ai_assistants", "meta_ai", "referral"),
    ("https://chat.mistral.ai/chat", "ai_assistants", "mistral", "referral"),
    ("https://grok.com/", "ai_assistants", "grok", "referral"),
    ("https://you.com/search?q=crm", "ai_assistants", "you.com", "referral"),
    ("https://www.phind.com/", "ai_assistants", "phind", "referral"),
    ("https://poe.com/", "ai_assistants", "poe", "referral"),
    ("https://character.ai/", "ai_assistants", "character.ai", "referral"),
    ("https://pi.ai/talk", "ai_assistants", "pi.ai", "referral"),
    ("https://chat.qwen.ai/", "ai_assistants", "qwen", "referral"),
    ("https://www.kimi.com/", "ai_assistants", "kimi", "referral"),
    ("https://www.doubao.com/chat/", "ai_assistants", "doubao", "referral"),
    ("https://yiyan.baidu.com/", "ai_assistants", "ernie", "referral"),
    ("https://duck.ai/", "ai_assistants", "duck.ai", "referral"),
    ("https://felo.ai/search", "ai_assistants", "felo", "referral"),
    ("android-app://com.openai.chatgpt/", "ai_assistants", "chatgpt", "referral"),
    // --- Video and shopping keep their channels.
    ("https://www.youtube.com/watch?v=1", "organic_video", "youtube", "referral"),
    ("https://youtu.be/abc", "organic_video", "youtube", "referral"),
    ("https://vimeo.com/123", "organic_video", "vimeo.com", "referral"),
    ("https://www.amazon.de/dp/1", "organic_shopping", "amazon.de", "referral"),
    // --- Referral: the registrable domain, whatever the sub-domain.
    ("https://blog.example.org/post", "referral", "example.org", "referral"),
    ("https://www.example.org/", "referral", "example.org", "referral"),
    ("https://example.org/", "referral", "example.org", "referral"),
    ("https://news.bbc.co.uk/story", "referral", "bbc.co.uk", "referral"),
    ("https://www.nytimes.com/2025/01/01/tech.html", "referral", "nytimes.com", "referral"),
    ("https://en.wikipedia.org/wiki/CRM", "referral", "wikipedia.org", "referral"),
    ("https://de.m.wikipedia.org/wiki/CRM", "referral", "wikipedia.org", "referral"),
    ("https://github.com/acme/leadtrail", "referral", "github.com", "referral"),
    ("https://gist.github.com/x", "referral", "github.com", "referral"),
    ("https://acme.github.io/", "referral", "acme.github.io", "referral"),
    ("https://acme.blogspot.com/2025/01/post.html", "referral", "acme.blogspot.com", "referral"),
    ("https://shop.example.com.br/", "referral", "example.com.br", "referral"),
    ("https://docs.google.com/document/d/1", "referral", "docs.google.com", "referral"),
    ("https://sites.google.com/view/acme", "organic_social", "sites.google.com", "social"),
    ("https://maps.google.com/", "referral", "maps.google.com", "referral"),
    ("https://support.microsoft.com/", "referral", "microsoft.com", "referral"),
    ("https://www.producthunt.com/posts/x", "referral", "producthunt.com", "referral"),
    ("https://acme.substack.com/p/post", "referral", "substack.com", "referral"),
    ("https://platform.openai.com/docs", "referral", "openai.com", "referral"),
    ("https://mailchimp.com/", "referral", "mailchimp.com", "referral"),
    ("https://mail-archive.example.com/", "referral", "example.com", "referral"),
    ("https://google.evil.example/", "referral", "evil.example", "referral"),
    ("https://facebook.com.evil.example/", "referral", "evil.example", "referral"),
    ("https://notfacebook.com/", "referral", "notfacebook.com", "referral"),
    ("https://chatgpt.com.evil.example/", "referral", "evil.example", "referral"),
    ("https://mychatgpt.com/", "referral", "mychatgpt.com", "referral"),
    ("http://localhost:3000/", "referral", "localhost", "referral"),
    ("https://[2001:db8::1]/", "referral", "[2001:db8::1]", "referral"),
    ("https://192.0.2.1:8443/", "referral", "192.0.2.1", "referral"),
    ("https://intranet/", "referral", "intranet", "referral"),
    ("android-app://com.example.reader/", "referral", "com.example.reader", "referral"),
    // --- Internal navigation and no referrer stay direct.
    ("https://acme.example/blog", "direct", "(direct)", "(none)"),
    ("https://blog.acme.example/post", "direct", "(direct)", "(none)"),
    ("", "direct", "(direct)", "(none)"),
    ("not a url", "direct", "(direct)", "(none)"),
];

/// A referrer read as the tracker reads it, settled as the server stores it.
fn settled(referrer: &str) -> (Touch, Option<String>) {
    let mut touch = Visit::read(PAGE, referrer, Some(1_700_000_000_000)).touch;
    let host = settle_referrer(&mut touch);
    (touch, host)
}

#[test]
fn referrers_settle_and_classify_as_the_table_says() {
    let mut failures = Vec::new();
    for (referrer, channel, source, medium) in REFERRERS {
        let raw = Visit::read(PAGE, referrer, Some(1_700_000_000_000)).touch;
        let (touch, _) = settled(referrer);
        let got = classify(&touch);
        let got_raw = classify(&raw);
        let expected = (*channel, Some(*source), Some(*medium));
        let found = (
            got.channel.id(),
            touch.source.as_deref(),
            touch.medium.as_deref(),
        );
        if found != expected || got_raw.channel != got.channel {
            failures.push(format!(
                "{referrer}: expected {expected:?}, got {found:?} (as the tracker sent it: {})",
                got_raw.channel.id()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failures:\n{}",
        failures.len(),
        REFERRERS.len(),
        failures.join("\n")
    );
}

#[test]
fn the_raw_host_is_kept_beside_the_source() {
    assert_eq!(
        settled("https://deref-gmx.net/mail/client/x").1.as_deref(),
        Some("deref-gmx.net")
    );
    assert_eq!(
        settled("https://blog.example.org/").1.as_deref(),
        Some("blog.example.org")
    );
    assert_eq!(settled("").1, None);
    // Campaign parameters and click ids are not the referrer's to change.
    let mut tagged = Visit::read(
        "https://acme.example/?utm_source=newsletter&utm_medium=email",
        "https://mail.google.com/",
        None,
    )
    .touch;
    assert_eq!(settle_referrer(&mut tagged), None);
    assert_eq!(tagged.source.as_deref(), Some("newsletter"));
    let mut clicked = Visit::read(
        "https://acme.example/?gclid=x",
        "https://www.google.com/",
        None,
    )
    .touch;
    assert_eq!(settle_referrer(&mut clicked), None);
    assert_eq!(clicked.medium.as_deref(), Some("cpc"));
}

/// A touch stored by the server is settled again (by `reclassify`) to the same thing, from
/// the stored source or from the raw host kept beside it.
#[test]
fn settling_is_idempotent_from_the_stored_or_the_raw_source() {
    for (referrer, ..) in REFERRERS {
        let (once, host) = settled(referrer);
        let mut again = once.clone();
        settle_referrer(&mut again);
        assert_eq!(again, once, "{referrer}");
        if let Some(host) = host {
            let mut from_raw = once.clone();
            from_raw.source = Some(host);
            settle_referrer(&mut from_raw);
            assert_eq!(from_raw, once, "{referrer} from its raw host");
        }
    }
}

#[test]
fn utm_sources_of_ai_assistants_are_their_channel() {
    for (url, channel) in [
        (
            "https://acme.example/?utm_source=chatgpt.com",
            "ai_assistants",
        ),
        (
            "https://acme.example/?utm_source=perplexity",
            "ai_assistants",
        ),
        (
            "https://acme.example/?utm_source=copilot.com",
            "ai_assistants",
        ),
        (
            "https://acme.example/?utm_source=chatgpt.com&utm_medium=referral",
            "ai_assistants",
        ),
        (
            "https://acme.example/?utm_source=chatgpt.com&utm_medium=cpc",
            "paid_other",
        ),
        (
            "https://acme.example/?utm_source=claude.ai&utm_medium=email",
            "email",
        ),
    ] {
        let touch = Visit::read(url, "", None).touch;
        assert_eq!(classify(&touch).channel.id(), channel, "{url}");
    }
}

#[test]
fn registrable_domains() {
    for (host, domain) in [
        ("blog.example.org", Some("example.org")),
        ("a.b.example.co.uk", Some("example.co.uk")),
        ("example.com.br", Some("example.com.br")),
        ("acme.github.io", Some("acme.github.io")),
        ("co.uk", None),
        ("192.0.2.1", None),
        ("[2001:db8::1]", None),
        ("localhost", None),
        ("", None),
    ] {
        assert_eq!(registrable_domain(host), domain, "{host}");
    }
}

proptest! {
    #[test]
    fn settling_any_referrer_never_panics_and_is_deterministic(referrer in any::<String>(), host in "[a-z0-9.-]{0,30}") {
        for referrer in [referrer, format!("https://{host}/x")] {
            let (once, raw) = settled(&referrer);
            prop_assert_eq!(settled(&referrer), (once.clone(), raw));
            prop_assert_eq!(classify(&once), classify(&once.clone()));
            prop_assert!(once.source.is_some() && once.medium.is_some());
        }
    }
}
