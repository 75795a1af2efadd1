"""A site's API tokens (site administrators): create one (shown once, stored as a SHA-256
hash), list them, revoke one. The collector's ``find_token`` ignores revoked tokens."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from collector.auth.tokens import SCOPES, new_token, token_hash
from collector.dashboard import audit, auth
from collector.dashboard.render import render
from collector.model import Site
from collector.web.services import services

MAX_LABEL = 100
SCOPE_HELP = {
    "stats": "read the statistics API",
    "optout": "record and remove opt-outs from your backend",
    "admin": "everything a token can do for this site",
}


async def _page(
    request: Request,
    who: auth.Viewer,
    site: Site,
    status: int = 200,
    error: str = "",
    created: str = "",
    done: str = "",
) -> Response:
    tokens = await auth.accounts(request).list_tokens(site.id)
    return render(
        request,
        "tokens.html",
        status=status,
        session_user=who.user,
        csrf=who.csrf,
        site=site,
        nav="tokens",
        tokens=tokens,
        scopes=[(s, SCOPE_HELP[s]) for s in SCOPES],
        error=error,
        created=created,
        done=done,
    )


@auth.dashboard_view("admin")
async def tokens_page(request: Request, who: auth.Viewer, site: Site, _form: None) -> Response:
    done = "Token revoked." if request.query_params.get("done") == "revoke" else ""
    return await _page(request, who, site, done=done)


@auth.dashboard_view("admin", form=True)
async def create_token(request: Request, who: auth.Viewer, site: Site, form: auth.Form) -> Response:
    scope, label = form.get("scope", ""), form.get("label", "").strip()
    if scope not in SCOPES:
        return await _page(request, who, site, 400, error=f"Choose a scope: {', '.join(SCOPES)}.")
    if len(label) > MAX_LABEL or not label.isprintable():
        return await _page(request, who, site, 400, error=f"A label has at most {MAX_LABEL} characters.")
    token = new_token()
    store, moment = services(request).store, auth.now(request)
    token_id = await store.add_token(token_hash(token), site.id, scope, label, moment)
    await audit.record(
        request,
        who.user.name,
        "token.create",
        {"site": site.id, "token": token_id, "scope": scope, "label": label},
    )
    # shown once, in this reply (no-store); only its hash is kept
    return await _page(request, who, site, 201, created=token)


@auth.dashboard_view("admin", form=True)
async def revoke_token(request: Request, who: auth.Viewer, site: Site, _form: auth.Form) -> Response:
    token_id = int(request.path_params["token_id"])
    moment = auth.now(request)
    if not await auth.accounts(request).revoke_token(site.id, token_id, moment):
        return await _page(request, who, site, 404, error="There is no such token to revoke.")
    await audit.record(request, who.user.name, "token.revoke", {"site": site.id, "token": token_id})
    return RedirectResponse(f"/sites/{site.id}/tokens?done=revoke", status_code=303)
