"""Reference and size checks on a parsed glTF document against its real binary data (stdlib only).

Used by `sb_preflight`; `check_document` rewrites the document in place (buffers merged into one,
animations and skins dropped, external and non-PNG/JPEG images replaced) and returns the merged
binary blob with the work the file implies (`Work`). Every failure is a `GLBRejected` naming the
file and the offending index, or the work and its limit (limits: `sb_budget`).

The work is computed from the JSON and header bytes alone, before any loader allocates: accessor
totals (count x element size, accessors without data included, since loaders fill them with zeros),
triangles once strips and fans are converted and every node instancing a mesh is counted, vertices
likewise, and texture pixels read from the PNG IHDR / JPEG SOF header (images are never decoded).
"""

from __future__ import annotations

import array
import base64
import binascii
import math
import struct
import sys
import zlib
from dataclasses import dataclass

import sb_budget as limits
from sb_errors import GLBRejected

__all__ = ["MAX_NODE_DEPTH", "Work", "check_document", "image_size"]

MAX_NODE_DEPTH = 256
_COMPONENT_BYTES = {5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4}
_TYPE_COMPONENTS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}
_INDEX_TYPECODES = {5121: "B", 5123: "H", 5125: "I"}
_ARRAYS = (
    "accessors", "animations", "buffers", "bufferViews", "cameras", "images",
    "materials", "meshes", "nodes", "samplers", "scenes", "skins", "textures",
)
_TEXTURE_SLOTS = ("normalTexture", "occlusionTexture", "emissiveTexture")
_PBR_TEXTURE_SLOTS = ("baseColorTexture", "metallicRoughnessTexture")
# Compression extensions: their data is opaque to these checks, so the file is refused wherever they appear.
_UNDECODABLE = {"KHR_draco_mesh_compression": "Draco-compressed", "EXT_meshopt_compression": "meshopt-compressed",
                "KHR_meshopt_compression": "meshopt-compressed"}
_MODE_NAMES = {5: "triangle strip", 6: "triangle fan"}
_GLB_ADVICE = "Send a binary glTF 2.0 (.glb) file."
_EMBED_ADVICE = "Embed all data in the GLB's binary chunk (or as data: URIs) and send it again."


@dataclass
class Work:
    """What loading a checked file costs.

    Attributes:
        triangles: triangles drawn: strips/fans converted, each node instancing a mesh counted.
        vertices: vertices likewise.
        accessor_bytes: bytes all accessors expand to.
        texture_pixels: width x height summed over the file's images.
    """

    triangles: int = 0
    vertices: int = 0
    accessor_bytes: int = 0
    texture_pixels: int = 0


def check_document(doc: dict, bin_chunk: bytes | None, name: str, warnings: list[str]) -> tuple[bytes, Work]:
    """Check every reference, declared size and the implied work of `doc`; rewrite it for a single merged buffer.

    Args:
        doc: the parsed glTF JSON (modified in place).
        bin_chunk: the GLB's BIN chunk, None for .gltf files or GLBs without one.
        name: the file's base name, for messages.
        warnings: list that non-fatal notes are appended to.

    Returns:
        (the merged binary data that the rewritten `doc["buffers"][0]` describes (b"" if none), its `Work`).

    Raises:
        GLBRejected: on the first problem found, or when the work exceeds a limit of `sb_budget`.
    """
    document = _Document(doc, bin_chunk, name, warnings)
    blob = document.check()
    return blob, document.work


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) in pixels from a PNG or JPEG header, without decoding; None for anything else.

    PNG: the IHDR chunk that must come first. JPEG: the first start-of-frame (SOFn) marker.
    """
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        if len(data) >= 24 and data[12:16] == b"IHDR":
            return struct.unpack_from(">II", data, 16)
        return None
    if data[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # no length field
            i += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image / start of scan before any frame header
            return None
        length = struct.unpack_from(">H", data, i + 2)[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if i + 9 > len(data):
                return None
            height, width = struct.unpack_from(">HH", data, i + 5)
            return width, height
        i += 2 + length
    return None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _short(uri: str) -> str:
    return uri if len(uri) <= 80 else uri[:77] + "..."


class _Document:
    """Checks one parsed glTF document against its real binary data; rewrites it in place."""

    def __init__(self, doc: dict, bin_chunk: bytes | None, name: str, warnings: list[str]) -> None:
        self.doc, self.bin_chunk, self.name, self.warnings = doc, bin_chunk, name, warnings
        self.work = Work()

    def reject(self, problem: str, advice: str = _GLB_ADVICE) -> GLBRejected:
        return GLBRejected(self.name, problem, advice)

    def ref(self, value: object, array_name: str, what: str) -> int:
        """Return `value` if it indexes `doc[array_name]`, else refuse the file."""
        size = len(self.doc.get(array_name, []))
        if not _is_int(value) or not 0 <= value < size:
            raise self.reject(f"has a dangling reference: {what} points to {array_name}[{value!r}], "
                              f"but there are only {size}")
        return value

    def check(self) -> bytes:
        doc = self.doc
        asset = doc.get("asset")
        if not isinstance(asset, dict) or not str(asset.get("version", "")).startswith("2"):
            raise self.reject("has no 'asset.version' of 2.x, so it is not a glTF 2.0 document")
        for key in _ARRAYS:
            items = doc.get(key, [])
            if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
                raise self.reject(f"has a '{key}' property that is not a list of objects")
        # The gallery shows static meshes; dropping these also drops their accessor references.
        for key in ("animations", "skins"):
            doc.pop(key, None)
        self._check_extensions()
        blob, bases = self._buffers()
        self._buffer_views(bases, len(blob))
        self._accessors(blob)
        self._images_textures_materials(blob)
        self._meshes(blob)
        self._nodes_scenes()
        self._geometry_work()
        return blob

    def too_much(self, problem: str) -> GLBRejected:
        return self.reject(problem, limits.LIGHTER_MODEL_ADVICE)

    def _check_extensions(self) -> None:
        used = set()
        for key in ("extensionsUsed", "extensionsRequired"):
            names = self.doc.get(key, [])
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise self.reject(f"has a '{key}' property that is not a list of strings")
            used.update(names)
        for ext, what in _UNDECODABLE.items():
            if ext in used:
                raise self.reject(f"is {what} ({ext}), which this Space does not decode, so it cannot check "
                                  f"the geometry", "Send an uncompressed GLB.")
        # Loaders act on an extension wherever it appears, listed or not: look at every "extensions" object.
        stack: list[tuple[object, str]] = [(self.doc, "")]
        while stack:
            node, where = stack.pop()
            if isinstance(node, dict):
                extensions = node.get("extensions")
                if isinstance(extensions, dict):
                    for ext, what in _UNDECODABLE.items():
                        if ext in extensions:
                            raise self.reject(f"is {what} ({ext} on {where.strip('/') or 'the document'}, though "
                                              f"not listed in extensionsUsed), which this Space does not decode, so "
                                              f"it cannot check the geometry", "Send an uncompressed GLB.")
                stack.extend((v, f"{where}/{k}") for k, v in node.items() if isinstance(v, (dict, list)))
            elif isinstance(node, list):
                stack.extend((v, f"{where}[{i}]") for i, v in enumerate(node) if isinstance(v, (dict, list)))

    def _buffers(self) -> tuple[bytes, list[int]]:
        parts: list[bytes] = []
        for i, buf in enumerate(self.doc.get("buffers", [])):
            length = buf.get("byteLength")
            if not _is_int(length) or length < 0:
                raise self.reject(f"has buffer {i} without a valid byteLength ({length!r})")
            uri = buf.get("uri")
            if uri is None:
                if i != 0 or self.bin_chunk is None:
                    raise self.reject(f"has buffer {i} with no data: it has no uri and there is no BIN chunk for it",
                                      _EMBED_ADVICE)
                data = self.bin_chunk
                source = "the BIN chunk"
            elif isinstance(uri, str) and uri.startswith("data:"):
                data = self._decode_data_uri(uri, f"buffer {i}")
                source = "its data: URI"
            else:
                raise self.reject(f"has buffer {i} that refers to an external file '{_short(str(uri))}' "
                                  f"(it was not read or fetched)", _EMBED_ADVICE)
            if len(data) < length:
                raise self.reject(f"has buffer {i} that declares {length:,} bytes but {source} holds only "
                                  f"{len(data):,}", _GLB_ADVICE)
            parts.append(data[:length])
        blob = bytearray()
        bases = []
        for part in parts:
            bases.append(len(blob))
            blob += part
            blob += b"\0" * (-len(blob) % 8)  # keep every merged buffer 8-byte aligned
        return bytes(blob), bases

    def _decode_data_uri(self, uri: str, what: str) -> bytes:
        header, sep, payload = uri.partition(",")
        if not sep or not header.endswith(";base64"):
            raise self.reject(f"has {what} with a data: URI that is not base64-encoded")
        try:
            return base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise self.reject(f"has {what} with a malformed base64 data: URI") from exc

    def _buffer_views(self, bases: list[int], blob_len: int) -> None:
        buffers = self.doc.get("buffers", [])
        for i, view in enumerate(self.doc.get("bufferViews", [])):
            b = self.ref(view.get("buffer"), "buffers", f"bufferView {i}")
            offset, length = view.get("byteOffset", 0), view.get("byteLength")
            if not _is_int(offset) or offset < 0 or not _is_int(length) or length < 1:
                raise self.reject(f"has bufferView {i} with an invalid byteOffset/byteLength")
            real = buffers[b]["byteLength"]
            if offset + length > real:
                raise self.reject(f"has bufferView {i} that needs bytes {offset:,}–{offset + length:,} of buffer {b}, "
                                  f"which holds only {real:,}")
            stride = view.get("byteStride")
            if stride is not None and (not _is_int(stride) or not 4 <= stride <= 252 or stride % 4):
                raise self.reject(f"has bufferView {i} with an invalid byteStride {stride!r}")
            view["buffer"], view["byteOffset"] = 0, bases[b] + offset
        if self.doc.get("buffers"):
            self.doc["buffers"] = [{"byteLength": blob_len}]

    def _accessors(self, blob: bytes) -> None:
        views = self.doc.get("bufferViews", [])
        total = dataless = n_dataless = 0
        for i, acc in enumerate(self.doc.get("accessors", [])):
            comp, kind, count = acc.get("componentType"), acc.get("type"), acc.get("count")
            if comp not in _COMPONENT_BYTES or kind not in _TYPE_COMPONENTS:
                raise self.reject(f"has accessor {i} with an unknown componentType/type ({comp!r}, {kind!r})")
            if not _is_int(count) or count < 1:
                raise self.reject(f"has accessor {i} with an invalid count {count!r}")
            elem = _COMPONENT_BYTES[comp] * _TYPE_COMPONENTS[kind]
            offset = acc.get("byteOffset", 0)
            if not _is_int(offset) or offset < 0:
                raise self.reject(f"has accessor {i} with an invalid byteOffset {offset!r}")
            if "bufferView" in acc:
                v = self.ref(acc["bufferView"], "bufferViews", f"accessor {i}")
                stride = views[v].get("byteStride") or elem
                need = offset + stride * (count - 1) + elem
                if need > views[v]["byteLength"]:
                    raise self.reject(f"has accessor {i} that declares {count:,} {kind} elements ({need:,} bytes), "
                                      f"but its bufferView {v} holds only {views[v]['byteLength']:,} bytes")
            else:
                dataless += count * elem
                n_dataless += 1
            total += count * elem
            sparse = acc.get("sparse")
            if sparse is not None:
                self._sparse(i, sparse, count, elem, blob)
        mb = 2**20
        if dataless > limits.MAX_DATALESS_ACCESSOR_BYTES:
            raise self.too_much(f"has {n_dataless:,} accessor(s) without data that would need {dataless / mb:,.0f} MB "
                                f"of zeros ({dataless:,} bytes); the limit is "
                                f"{limits.MAX_DATALESS_ACCESSOR_BYTES / mb:,.0f} MB")
        if total > limits.MAX_ACCESSOR_BYTES:
            raise self.too_much(f"has accessors that would need {total / mb:,.0f} MB once read ({total:,} bytes); "
                                f"the limit is {limits.MAX_ACCESSOR_BYTES / mb:,.0f} MB")
        self.work.accessor_bytes = total

    def _sparse(self, i: int, sparse: object, count: int, elem: int, blob: bytes) -> None:
        """Check a sparse block: both runs inside their bufferViews, every sparse index inside the accessor."""
        views = self.doc.get("bufferViews", [])
        if not isinstance(sparse, dict) or not _is_int(sparse.get("count")) or not 1 <= sparse["count"] <= count:
            raise self.reject(f"has accessor {i} with an invalid sparse block")
        n = sparse["count"]
        for part in ("indices", "values"):
            block = sparse.get(part)
            if not isinstance(block, dict):
                raise self.reject(f"has accessor {i} with a sparse block missing '{part}'")
            v = self.ref(block.get("bufferView"), "bufferViews", f"accessor {i} sparse {part}")
            offset = block.get("byteOffset", 0)
            if not _is_int(offset) or offset < 0:
                raise self.reject(f"has accessor {i} with an invalid sparse {part} byteOffset {offset!r}")
            if part == "indices":
                if block.get("componentType") not in _INDEX_TYPECODES:
                    raise self.reject(f"has accessor {i} whose sparse indices are not unsigned integers")
                size = _COMPONENT_BYTES[block["componentType"]]
            else:
                size = elem
            if offset + size * n > views[v]["byteLength"]:
                raise self.reject(f"has accessor {i} whose sparse {part} run past bufferView {v}")
        where = sparse["indices"]
        top = self._max_int(where["bufferView"], where.get("byteOffset", 0), where["componentType"], n, blob)
        if top >= count:
            raise self.reject(f"has accessor {i} whose sparse block replaces element {top:,}, but the accessor "
                              f"has only {count:,}")

    def _max_int(self, view: int, offset: int, component: int, count: int, blob: bytes) -> int:
        """Largest of `count` unsigned integers of type `component` at `offset` in bufferView `view`."""
        code = _INDEX_TYPECODES[component]
        start = self.doc["bufferViews"][view]["byteOffset"] + offset
        values = array.array(code)
        values.frombytes(blob[start:start + _COMPONENT_BYTES[component] * count])
        if sys.byteorder == "big":
            values.byteswap()
        return max(values, default=0)

    def _images_textures_materials(self, blob: bytes) -> None:
        doc = self.doc
        stripped_images = set()
        pixels = 0
        for i, image in enumerate(doc.get("images", [])):
            uri = image.get("uri")
            data = None
            if "bufferView" in image:
                view = doc["bufferViews"][self.ref(image["bufferView"], "bufferViews", f"image {i}")]
                data = blob[view["byteOffset"]:view["byteOffset"] + view["byteLength"]]
            elif isinstance(uri, str) and uri.startswith("data:"):
                data = self._decode_data_uri(uri, f"image {i}")
            if data is not None:
                size = image_size(data)
                if size is not None:
                    width, height = size
                    if width * height > limits.MAX_TEXTURE_PIXELS:
                        side = math.isqrt(limits.MAX_TEXTURE_PIXELS)
                        raise self.too_much(f"has a {width:,} × {height:,} px texture (image {i}, {width * height:,} "
                                            f"pixels once decoded); the limit is {limits.MAX_TEXTURE_PIXELS:,} pixels "
                                            f"({side:,} × {side:,})")
                    pixels += width * height
                    continue
                # Pillow would decode other formats (BMP, GIF, TIFF...) that glTF does not allow: never hand them over.
                image.clear()
                image.update(uri=_PLACEHOLDER_PNG_URI, mimeType="image/png")
                stripped_images.add(i)
                self.warnings.append(f"'{self.name}': image {i} is neither PNG nor JPEG; its texture was dropped.")
            else:
                # Never fetched: replaced by an unused 1x1 pixel so indices stay valid; textures using it are unlinked.
                image.clear()
                image.update(uri=_PLACEHOLDER_PNG_URI, mimeType="image/png")
                stripped_images.add(i)
                where = f"the external file '{_short(str(uri))}'" if uri is not None else "no data"
                self.warnings.append(f"'{self.name}': image {i} refers to {where}, which was not read; "
                                     f"its texture was dropped.")
        if pixels > limits.MAX_FILE_TEXTURE_PIXELS:
            raise self.too_much(f"has textures of {pixels:,} pixels in all once decoded; the limit is "
                                f"{limits.MAX_FILE_TEXTURE_PIXELS:,}")
        self.work.texture_pixels = pixels
        stripped_textures = set()
        for i, tex in enumerate(doc.get("textures", [])):
            if "source" in tex:
                if self.ref(tex["source"], "images", f"texture {i}") in stripped_images:
                    stripped_textures.add(i)
            if "sampler" in tex:
                self.ref(tex["sampler"], "samplers", f"texture {i}")
            if "source" not in tex:
                stripped_textures.add(i)  # e.g. a texture only defined by an extension we do not read
        for i, mat in enumerate(doc.get("materials", [])):
            pbr = mat.get("pbrMetallicRoughness", {})
            for holder, slots in ((mat, _TEXTURE_SLOTS), (pbr if isinstance(pbr, dict) else {}, _PBR_TEXTURE_SLOTS)):
                for slot in slots:
                    info = holder.get(slot)
                    if info is None:
                        continue
                    if not isinstance(info, dict):
                        raise self.reject(f"has material {i} with an invalid {slot}")
                    if self.ref(info.get("index"), "textures", f"material {i} {slot}") in stripped_textures:
                        del holder[slot]

    def _meshes(self, blob: bytes) -> None:
        doc = self.doc
        accessors = doc.get("accessors", [])
        for m, mesh in enumerate(doc.get("meshes", [])):
            prims = mesh.get("primitives")
            if not isinstance(prims, list) or not prims or not all(isinstance(p, dict) for p in prims):
                raise self.reject(f"has mesh {m} without a list of primitives")
            for p, prim in enumerate(prims):
                where = f"mesh {m} primitive {p}"
                attrs = prim.get("attributes")
                if not isinstance(attrs, dict) or "POSITION" not in attrs:
                    raise self.reject(f"has {where} without a POSITION attribute")
                for attr, idx in attrs.items():
                    self.ref(idx, "accessors", f"{where} attribute {attr}")
                pos = accessors[attrs["POSITION"]]
                if pos["type"] != "VEC3":
                    raise self.reject(f"has {where} whose POSITION is {pos['type']}, not VEC3")
                for t, target in enumerate(prim.get("targets", []) or []):
                    for attr, idx in (target.items() if isinstance(target, dict) else []):
                        self.ref(idx, "accessors", f"{where} morph target {t} {attr}")
                if "material" in prim:
                    self.ref(prim["material"], "materials", where)
                if prim.get("mode", 4) not in range(7):
                    raise self.reject(f"has {where} with an unknown mode {prim.get('mode')!r}")
                if "indices" in prim:
                    idx = self.ref(prim["indices"], "accessors", f"{where} indices")
                    self._check_index_range(where, accessors[idx], pos["count"], blob)

    def _check_index_range(self, where: str, acc: dict, n_vertices: int, blob: bytes) -> None:
        """Every index value, sparse replacements included, must be below the POSITION count."""
        code = _INDEX_TYPECODES.get(acc["componentType"])
        if acc["type"] != "SCALAR" or code is None:
            raise self.reject(f"has {where} with indices that are not unsigned integer scalars")
        top = 0  # an index accessor without a bufferView is all zeros
        if "bufferView" in acc:
            view = self.doc["bufferViews"][acc["bufferView"]]
            size = _COMPONENT_BYTES[acc["componentType"]]
            if view.get("byteStride", size) != size:
                raise self.reject(f"has {where} whose index bufferView has a byteStride, which glTF forbids")
            top = self._max_int(acc["bufferView"], acc.get("byteOffset", 0), acc["componentType"], acc["count"], blob)
        sparse = acc.get("sparse")
        if sparse is not None:
            values = sparse["values"]
            replaced = self._max_int(values["bufferView"], values.get("byteOffset", 0), acc["componentType"],
                                     sparse["count"], blob)
            if replaced >= n_vertices:
                raise self.reject(f"has {where} whose sparse indices use vertex index {replaced:,} but it has only "
                                  f"{n_vertices:,} vertices")
        if top >= n_vertices:
            raise self.reject(f"has {where} that uses vertex index {top:,} but has only {n_vertices:,} vertices")

    def _geometry_work(self) -> None:
        """Triangles and vertices the file draws, counted before any loader runs; refuse what exceeds the limits."""
        doc = self.doc
        accessors, nodes = doc.get("accessors", []), doc.get("nodes", [])
        if len(nodes) > limits.MAX_FILE_NODES:
            raise self.too_much(f"has {len(nodes):,} nodes; the limit is {limits.MAX_FILE_NODES:,}")
        triangles, vertices, modes = [], [], set()
        for mesh in doc.get("meshes", []):
            t = v = 0
            for prim in mesh["primitives"]:
                n_vertices = accessors[prim["attributes"]["POSITION"]]["count"]
                n = accessors[prim["indices"]]["count"] if "indices" in prim else n_vertices
                mode = prim.get("mode", 4)
                if mode == 4:
                    t += n // 3
                elif mode in _MODE_NAMES:
                    t += max(n - 2, 0)
                    modes.add(_MODE_NAMES[mode])
                v += n_vertices
            triangles.append(t)
            vertices.append(v)
        converted = f" once its {' and '.join(sorted(modes))}s are converted" if modes else ""
        for what, counts, limit in (("triangles", triangles, limits.MAX_FILE_TRIANGLES),
                                    ("vertices", vertices, limits.MAX_FILE_VERTICES)):
            if sum(counts) > limit:
                raise self.too_much(f"would need {sum(counts):,} {what}{converted if what == 'triangles' else ''}; "
                                    f"the limit is {limit:,}")
            # Each node drawing a mesh is one more copy for the gallery (the hierarchy is a checked tree,
            # so every node is reached once).
            refs = [node["mesh"] for node in nodes if "mesh" in node]
            drawn = sum(counts[m] for m in refs)
            if drawn > limit:
                sizes = {counts[m] for m in refs}
                how = (f"{len(refs):,} nodes × {sizes.pop():,}" if len(sizes) == 1
                       else f"{len(refs):,} nodes drawing {len(set(refs)):,} meshes")
                raise self.too_much(f"would need {drawn:,} {what} once instanced ({how}); the limit is {limit:,}")
            if what == "triangles":
                self.work.triangles = drawn
            else:
                self.work.vertices = drawn

    def _nodes_scenes(self) -> None:
        doc = self.doc
        nodes = doc.get("nodes", [])
        parent: dict[int, int] = {}
        for i, node in enumerate(nodes):
            children = node.get("children", [])
            if not isinstance(children, list):
                raise self.reject(f"has node {i} whose children is not a list")
            for c in children:
                self.ref(c, "nodes", f"node {i} child")
                if c in parent or c == i:
                    raise self.reject(f"has node {c} with two parents ({parent.get(c, i)} and {i}), so the "
                                      f"node hierarchy is not a tree")
                parent[c] = i
            if "mesh" in node:
                self.ref(node["mesh"], "meshes", f"node {i}")
            if "camera" in node:
                self.ref(node["camera"], "cameras", f"node {i}")
            node.pop("skin", None)
            for key, size in (("matrix", 16), ("translation", 3), ("rotation", 4), ("scale", 3)):
                if key in node:
                    value = node[key]
                    if (not isinstance(value, list) or len(value) != size
                            or not all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                       and math.isfinite(x) for x in value)):
                        raise self.reject(f"has node {i} with an invalid {key} (needs {size} finite numbers)")
        # Depth by breadth-first walk from the roots; nodes never reached sit on a cycle.
        depth = {i: 1 for i in range(len(nodes)) if i not in parent}
        frontier = list(depth)
        deepest = 1 if nodes else 0
        while frontier:
            nxt = []
            for i in frontier:
                for c in nodes[i].get("children", []):
                    depth[c] = depth[i] + 1
                    nxt.append(c)
            if nxt:
                deepest = depth[nxt[0]]
                if deepest > MAX_NODE_DEPTH:
                    raise self.reject(f"has a node hierarchy more than {MAX_NODE_DEPTH} levels deep",
                                      "Flatten the node hierarchy and send it again.")
            frontier = nxt
        if len(depth) < len(nodes):
            loop = min(set(range(len(nodes))) - set(depth))
            raise self.reject(f"has a cycle in its node hierarchy (node {loop} is its own ancestor)")
        scenes = doc.get("scenes", [])
        for s, scene in enumerate(scenes):
            roots = scene.get("nodes", [])
            if not isinstance(roots, list):
                raise self.reject(f"has scene {s} whose nodes is not a list")
            if len(set(map(repr, roots))) != len(roots):
                raise self.reject(f"has scene {s} listing a root node more than once")
            for r in roots:
                self.ref(r, "nodes", f"scene {s}")
                if r in parent:
                    raise self.reject(f"has scene {s} listing node {r} as a root, but it is a child of node {parent[r]}")
        if "scene" in doc:
            self.ref(doc["scene"], "scenes", "the default scene")
        if not doc.get("meshes"):
            raise self.reject(f"contains no mesh (it has {len(nodes)} node(s) but no geometry)",
                              "Send a GLB with at least one triangle mesh.")
        shown = scenes[doc.get("scene", 0)].get("nodes", []) if scenes else [i for i in range(len(nodes))
                                                                             if i not in parent]
        stack, has_mesh = list(shown), False
        while stack and not has_mesh:
            i = stack.pop()
            has_mesh = "mesh" in nodes[i]
            stack.extend(nodes[i].get("children", []))
        if not has_mesh:
            raise self.reject("contains no mesh in its scene (no node of the displayed scene has geometry)",
                              "Send a GLB with at least one triangle mesh.")


def _png_1x1() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0\xff\xff\xff\xff")) + \
        chunk(b"IEND", b"")


_PLACEHOLDER_PNG_URI = "data:image/png;base64," + base64.b64encode(_png_1x1()).decode("ascii")
