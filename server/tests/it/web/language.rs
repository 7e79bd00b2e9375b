//! German and English: the browser's language, the switch, a person's
//! choice on a new browser, and the switch refusing to send people
//! elsewhere or to change from another site.

use crate::harness::{Site, sqlite};
use axum::http::{StatusCode, header};

/// The page's `<html lang>` and whether it shows the German navigation.
async fn page_language(
    site: &Site,
    path: &str,
    cookie: Option<&str>,
    accept: &str,
) -> (String, bool) {
    let (status, _, body) = site
        .get_with_headers(
            path,
            cookie,
            &[("accept", "text/html"), ("accept-language", accept)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{path}");
    let html = String::from_utf8(body).unwrap();
    let lang = html
        .split("<html lang=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string();
    (lang, html.contains(">Postfächer<"))
}

#[tokio::test]
async fn pages_speak_the_browsers_language_until_the_person_chooses() {
    let db = sqlite().await;
    let site = Site::new(&db).await;
    let user = site.sign_in("user@example.com", "user-password").await;

    assert_eq!(
        page_language(&site, "/", Some(&user), "de-DE,de;q=0.9,en;q=0.5").await,
        ("de".into(), true)
    );
    assert_eq!(
        page_language(&site, "/", Some(&user), "en-US,en").await,
        ("en".into(), false)
    );
    assert_eq!(
        page_language(&site, "/", Some(&user), "fr-FR").await,
        ("en".into(), false)
    );

    // The switch: a cookie for this browser, the choice kept for the person,
    // back to the page it came from.
    let (status, headers, _) = switch(
        &site,
        "lang=en&next=%2Farchive%3Fq%3Dx",
        Some(&user),
        "same-origin",
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/archive?q=x");
    let cookie = headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.starts_with("tresor_lang=en;") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let both = format!("{user}; tresor_lang=en");
    assert_eq!(
        page_language(&site, "/", Some(&both), "de").await,
        ("en".into(), false)
    );

    // Chosen English, then German: a new browser asking for English gets German.
    switch(&site, "lang=de&next=%2F", Some(&user), "same-origin").await;
    assert_eq!(
        page_language(&site, "/", Some(&user), "en").await,
        ("de".into(), true)
    );
    // A signed-out visitor's choice is only the cookie.
    assert_eq!(
        page_language(&site, "/sign-in", Some("tresor_lang=de"), "en")
            .await
            .0,
        "de"
    );
}

#[tokio::test]
async fn the_switch_goes_back_only_to_this_site_and_only_from_it() {
    let db = sqlite().await;
    let site = Site::new(&db).await;
    for next in [
        "https%3A%2F%2Fevil.example%2F",
        "%2F%2Fevil.example",
        "%2F%5Cevil.example",
    ] {
        let (status, headers, _) =
            switch(&site, &format!("lang=de&next={next}"), None, "same-origin").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers[header::LOCATION], "/", "{next}");
    }
    let (status, _, _) = switch(&site, "lang=xx&next=%2F", None, "same-origin").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Another site cannot switch a signed-in person's language.
    let user = site.sign_in("user@example.com", "user-password").await;
    let (status, _, _) = switch(&site, "lang=de&next=%2F", Some(&user), "cross-site").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(page_language(&site, "/", Some(&user), "en").await.0, "en");
}

async fn switch(
    site: &Site,
    form: &str,
    cookie: Option<&str>,
    fetch_site: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut request = axum::http::Request::post("/language")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", fetch_site);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = site
        .send(
            request
                .body(axum::body::Body::from(form.to_string()))
                .unwrap(),
        )
        .await;
    let status = response.status();
    let headers = response.headers().clone();
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}
