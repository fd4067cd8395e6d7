// The element paths a FHIR walk passes through ("Encounter.participant.individual.reference",
// no array indices), interned per worker: a member's path is found from its parent's path and
// its key, and the dotted name is built only when the report or an error asks for it. Each path
// carries a tag the caller computes once from the key (the FHIR walker: the key's id in the
// policy's rules), so a key costs one lookup in all, usually not even a hash (see Child()).
//
// Bounded: paths met while the table has room stay for the table's life (their names can be
// held by reference, see Stable()); the others are transient and go at ForgetTransient() (the
// walker calls it before each record). Not thread-safe: one per worker.
#pragma once

#include <cstdint>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "deid/internal/json_escape.h"

namespace phiguard::deid::internal {

class ElementPaths {
 public:
  static constexpr int kNone = -1;  // the parent of a top-level path

  // The path `key` below `parent` (kNone: a top-level name, e.g. a resource type), created on
  // first sight with `tag(key)` as its tag. `previous` is the path of the member before `key` in
  // the same object (kNone for the first): resources of one type repeat their keys in the same
  // order, so the path that followed `previous` last time is tried first (one compare of the
  // short key instead of a hash lookup).
  template <typename TagFn>
  int Child(int parent, int previous, std::string_view key, TagFn&& tag) {
    int& hint = previous != kNone ? nodes_[previous].next
                : parent != kNone ? nodes_[parent].first_child
                                  : first_root_;
    if (hint != kNone && hint < static_cast<int>(nodes_.size())) {
      const Node& n = nodes_[hint];
      if (n.parent == parent && KeyOf(n) == key) return hint;
    }
    hint = Find(parent, key, tag);
    return hint;
  }

  // The number of paths (ids are 0 .. Size() - 1).
  size_t Size() const { return nodes_.size(); }
  // The tag given to `path` when it was created.
  int Tag(int path) const { return nodes_[path].tag; }
  // True when `path` (and the string Name() returns for it) lasts for the table's life.
  bool Stable(int path) const { return path < static_cast<int>(stable_); }
  // "Patient.name.family". The reference is valid until ForgetTransient() for a transient path,
  // for the table's life for a stable one.
  const std::string& Name(int path) {
    Node& n = nodes_[path];
    if (!n.named) {
      if (n.parent != kNone) {
        n.name.append(Name(n.parent));
        n.name.push_back('.');
      }
      n.name.append(KeyOf(n));
      n.named = true;
    }
    return n.name;
  }
  // The path's key as a JSON object member's start: "family": (escaped once, then reused).
  const std::string& JsonKey(int path) {
    Node& n = nodes_[path];
    if (n.json_key.empty()) {
      AppendJsonString(n.json_key, KeyOf(n));
      n.json_key.push_back(':');
    }
    return n.json_key;
  }
  // Drops the transient paths (the ids of stable paths stay valid).
  void ForgetTransient() {
    while (nodes_.size() > stable_) {
      ids_.erase(nodes_.back().key);
      nodes_.pop_back();
    }
  }

 private:
  struct Node {
    std::string key;  // as in ids_: the parent's id (4 bytes), then the element name
    int parent = kNone;
    int tag = 0;
    size_t length = 0;      // of the dotted name
    std::string name;       // the dotted name, once Name() built it
    std::string json_key;   // once JsonKey() built it
    bool named = false;
    int next = kNone;         // the path met after this one in its object last time (a hint)
    int first_child = kNone;  // the path met first below this one last time (a hint)
  };
  static constexpr size_t kMaxStable = 1 << 14;
  static constexpr size_t kMaxStableBytes = 4u << 20;  // of stable paths' dotted names

  static std::string_view KeyOf(const Node& n) {
    return std::string_view(n.key).substr(sizeof(int32_t));
  }

  template <typename TagFn>
  int Find(int parent, std::string_view key, TagFn& tag) {
    probe_.resize(sizeof(int32_t));
    const int32_t p = parent;
    std::memcpy(probe_.data(), &p, sizeof p);
    probe_.append(key);
    auto it = ids_.find(probe_);
    if (it != ids_.end()) return it->second;
    const int id = static_cast<int>(nodes_.size());
    const size_t length = (parent == kNone ? 0 : nodes_[parent].length + 1) + key.size();
    if (nodes_.size() == stable_ && (parent == kNone || Stable(parent)) && stable_ < kMaxStable &&
        stable_bytes_ + length <= kMaxStableBytes) {
      ++stable_;
      stable_bytes_ += length;
    }
    ids_.emplace(probe_, id);
    Node& n = nodes_.emplace_back();
    n.key = probe_;
    n.parent = parent;
    n.tag = tag(key);
    n.length = length;
    return id;
  }

  std::deque<Node> nodes_;  // by id; a deque: Name() hands out references
  absl::flat_hash_map<std::string, int> ids_;
  size_t stable_ = 0;        // nodes_[0, stable_) are stable
  size_t stable_bytes_ = 0;  // their names' total length
  std::string probe_;        // the lookup key being built
  int first_root_ = kNone;   // the top-level path met last (a hint)
};

}  // namespace phiguard::deid::internal
