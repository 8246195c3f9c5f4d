"""The baseline for bench_exam_load: a bare Flask endpoint that parses a JSON body and answers JSON."""

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.put("/bare/<int:position>")
def bare(position: int):
    body = request.get_json(silent=True) or {}
    return jsonify({"position": position, "saved": True, "seq": body.get("seq")})
