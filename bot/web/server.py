"""The pages' HTTP server (aiohttp): two read-only routes and a stylesheet, nothing that writes.

`/c/<token>` opens a cohort's page and `/m/<token>` a member's own page (bot.services.pages.links). Every
link that does not open a page, whatever the reason, gets the same 404, byte for byte."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import jinja2
from aiohttp import web

from bot import i18n
from bot.config import Networks, ip_networks
from bot.i18n import ENGLISH, LANGUAGES
from bot.metrics import Metrics
from bot.services.container import Services
from bot.services.errors import NotFound
from bot.services.pages.links import Kind, LinkSigner
from bot.web.guard import SECURITY_HEADERS, RateLimit, client_address
from bot.web.pages import cohort_context, labels, member_context

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
LOOPBACK = ip_networks("127.0.0.0/8,::1")
# Short, and in the reader's browser only: no shared cache (a proxy, a CDN) ever keeps a page, so a revoked
# link, a page taken down or a member's /forget-me is gone for everyone else at once.
PAGE_CACHE = "private, max-age=30"
LANGS = (ENGLISH, *LANGUAGES.values())
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def templates() -> jinja2.Environment:
    """The pages' templates; autoescape on every one, so no name or title can become markup."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


class PageSite:
    """The app: routes, the request budget, the headers and the metrics, over the bot's services."""

    def __init__(
        self,
        services: Services,
        signer: LinkSigner,
        metrics: Metrics,
        per_minute: int,
        proxies: Networks = LOOPBACK,
    ) -> None:
        self._services = services
        self._proxies = proxies
        self._signer = signer
        self._metrics = metrics
        self._limit = RateLimit(per_minute)
        self._env = templates()
        self._css = (HERE / "static" / "page.css").read_bytes()
        with i18n.using(ENGLISH):  # one 404 for every wrong link, in every language asked for
            self._not_found = self._env.get_template("not_found.html").render(text=labels(), lang=ENGLISH)

    def app(self) -> web.Application:
        """The aiohttp application (GET and HEAD only: aiohttp answers 405 to anything else)."""
        app = web.Application(middlewares=[self._guard])
        app.router.add_get("/c/{token}", self._cohort)
        app.router.add_get("/m/{token}", self._member)
        app.router.add_get("/static/page.css", self._stylesheet)
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        address = client_address(request.remote, request.headers.get("X-Forwarded-For"), self._proxies)
        wait = self._limit.check(address)
        if wait:
            self._metrics.page_requests.labels("limited").inc()
            response: web.StreamResponse = web.Response(
                status=429,
                text="Too many requests. Try again in a minute.\n",
                headers={"Retry-After": RateLimit.retry_after(wait), "Cache-Control": "no-store"},
            )
        else:
            try:
                response = await handler(request)
            except web.HTTPNotFound:  # a path with no route: the same answer as a wrong link
                response = self._missing()
            except web.HTTPException as refused:  # 405 and the like, with their own headers (Allow)
                refused.headers.update(SECURITY_HEADERS)
                raise
            except Exception:  # a fault of ours: logged, and a plain answer that shows nothing of it
                log.exception("page %s failed", request.path)
                self._metrics.page_requests.labels("failed").inc()
                response = web.Response(
                    status=500, text="Something went wrong on our side.\n", headers={"Cache-Control": "no-store"}
                )
        response.headers.update(SECURITY_HEADERS)
        return response

    def _missing(self) -> web.Response:
        self._metrics.page_requests.labels("not_found").inc()
        return web.Response(
            status=404, text=self._not_found, content_type="text/html", headers={"Cache-Control": "no-store"}
        )

    def _language(self, request: web.Request, stored: str | None) -> str:
        asked = request.query.get("lang", "")
        return asked if asked in LANGS else i18n.language_for(stored)

    def html(self, template: str, context: dict, lang: str) -> str:
        """A page's HTML from its context, in `lang` (the current language of t(): the caller's)."""
        return self._env.get_template(template).render(page=context, text=labels(), lang=lang, langs=LANGS)

    def _page(self, template: str, context: dict, lang: str, kind: Kind) -> web.Response:
        html = self.html(template, context, lang)
        self._metrics.page_requests.labels("cohort" if kind == "c" else "member").inc()
        return web.Response(text=html, content_type="text/html", headers={"Cache-Control": PAGE_CACHE})

    async def _cohort(self, request: web.Request) -> web.Response:
        key = self._signer.read("c", request.match_info["token"])
        cohort = await self._services.pages.open_cohort(key) if key else None
        if cohort is None:
            return self._missing()
        lang = self._language(request, cohort.locale)
        with i18n.using(lang):
            try:
                page = await self._services.page_content.cohort_page(cohort)
            except NotFound:  # its roadmap is not loaded in this process
                return self._missing()
            return self._page("cohort.html", cohort_context(page), lang, "c")

    async def _member(self, request: web.Request) -> web.Response:
        key = self._signer.read("m", request.match_info["token"])
        found = await self._services.pages.open_member(key) if key else None
        if found is None:
            return self._missing()
        cohort, membership = found
        lang = self._language(request, membership.locale or cohort.locale)
        with i18n.using(lang):
            try:
                page = await self._services.page_content.member_page(cohort, membership)
            except NotFound:
                return self._missing()
            return self._page("member.html", member_context(page), lang, "m")

    async def _stylesheet(self, request: web.Request) -> web.Response:
        return web.Response(body=self._css, content_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


class PageServer:
    """The pages served on one host and port for as long as the bot runs."""

    def __init__(self, site: PageSite, host: str, port: int) -> None:
        self._runner = web.AppRunner(site.app(), access_log=None)
        self._host, self._port = host, port
        self.port: int | None = None

    async def start(self) -> None:
        """Listen (port 0: any free port, then `port` says which)."""
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        log.info("cohort pages on http://%s:%d", self._host, self.port)

    async def stop(self) -> None:
        await self._runner.cleanup()
