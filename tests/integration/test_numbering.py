"""R9.1: an accepted application gets its official number,
永府办政云管审（YYYY）第 N 号, one gapless sequence per year, even when
the bureau accepts many at once; a decline takes no number."""
import re
import threading

from conftest import minimal_form

COUNT = 12


def test_concurrent_acceptances_number_gaplessly(platform):
    apps = [platform.submit("health", minimal_form())["body"]["app_id"]
            for _ in range(COUNT + 1)]
    for app in apps:
        platform.wait_until(lambda: platform.call("bureau", "review", "review.get",
                                                  {"app_id": app})["ok"], what="review")
    declined = platform.call("bureau", "review", "review.decline",
                             {"app_id": apps[-1], "opinion": "材料不全"})
    assert declined["ok"] and declined["body"]["number"] is None
    numbers, errors = {}, []

    def accept(chunk):
        for app in chunk:
            reply = platform.call("bureau", "review", "review.accept", {"app_id": app})
            if reply["ok"]:
                numbers[app] = reply["body"]["number"]
            else:
                errors.append(reply)

    threads = [threading.Thread(target=accept, args=(apps[i:COUNT:4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    year = platform.scalar("SELECT extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')::int")
    parsed = []
    for number in numbers.values():
        m = re.fullmatch(r"永府办政云管审（(\d{4})）第 (\d+) 号", number)
        assert m, number
        assert m.group(1) == year
        parsed.append(int(m.group(2)))
    assert sorted(parsed) == list(range(1, COUNT + 1))
    # the unit sees the official number once intake has the event
    app = apps[0]
    platform.wait_until(lambda: platform.call("health", "intake", "application.get",
                                              {"app_id": app})["body"]["number"]
                        == numbers[app], what="intake follows")
    assert numbers[app] in platform.cli("show", app, actor="health").stdout
