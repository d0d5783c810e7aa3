(* Golden tests of the oracle (run by `dune test`).

   For every cases/NAME.graph there must be a cases/NAME.expected:
   - if it starts with "error:", the oracle must fail with exactly that line;
   - otherwise it is a result file with hand-derived numbers (see hand.py:
     each operator's formula from docs/semantics.md, written out again in
     Python) and the oracle's result must match it entry by entry within a
     relative 1e-12; the gradients of the memoized backprop must equal
     those of the naive specification bit for bit; and, for graphs without
     an `mvn` node (whose gradient is a score-function estimate, not a
     derivative), every gradient entry must match a central finite
     difference of the total cost in float64 within relative 1e-6.
   A missing expected file, a disagreement, an operator of the table without
   its golden case cases/op_NAME.graph, or a deterministic operator of the
   table that no finite-difference case covers fails the run. *)

module O = Certigrad_oracle.Oracle
module C = Certigrad_core

let failures = ref 0
let checks = ref 0

let fail name fmt =
  Printf.ksprintf (fun s -> incr failures; Printf.printf "FAIL %s: %s\n" name s) fmt

let read_file path =
  let ic = open_in_bin path in
  let s = really_input_string ic (in_channel_length ic) in
  close_in ic; s

(* A result file as (keyword, name, numbers) rows. *)
let rows_of text =
  String.split_on_char '\n' text
  |> List.filter_map (fun l ->
         match O.tokens l with
         | [] -> None
         | kw :: rest ->
             let name, nums =
               match kw, rest with
               | ("value" | "cost" | "grad"), n :: r -> (n, r)
               | _, r -> ("", r)
             in
             Some (kw, name, List.rev (List.rev_map float_of_string nums)))

let close_rel tol a b = Float.abs (a -. b) <= tol *. Float.max 1.0 (Float.max (Float.abs a) (Float.abs b))

let compare_rows name expected actual =
  let e = rows_of expected and a = rows_of actual in
  if List.length e <> List.length a then
    fail name "expected %d result lines, got %d" (List.length e) (List.length a)
  else
    List.iter2
      (fun (k1, n1, x1) (k2, n2, x2) ->
        incr checks;
        if k1 <> k2 || n1 <> n2 then fail name "line '%s %s' vs '%s %s'" k1 n1 k2 n2
        else if List.length x1 <> List.length x2 then
          fail name "%s %s: %d numbers expected, got %d" k1 n1 (List.length x1) (List.length x2)
        else
          List.iteri
            (fun i (u, v) ->
              if not (close_rel 1e-12 u v) then
                fail name "%s %s entry %d: expected %.17g, got %.17g" k1 n1 i u v)
            (List.combine x1 x2))
      e a

let has_mvn (p : O.parsed) =
  List.exists (function C.NRand (_, C.Mvn, _) -> true | _ -> false) p.O.graph.C.g_nodes

let det_ops_of (p : O.parsed) =
  List.filter_map (function C.NDet (_, d, _) -> Some (C.op_name (C.ODet d)) | _ -> None)
    p.O.graph.C.g_nodes

let total_at (p : O.parsed) values =
  match C.ref_forward_checked p.O.graph values p.O.draws with
  | C.Inl vals -> Some (C.ref_total_cost p.O.graph vals)
  | C.Inr _ -> None

let set_nth l i x = List.mapi (fun j y -> if j = i then x else y) l

let finite_differences name (p : O.parsed) (r : O.result) =
  List.iter
    (fun (w, grad) ->
      let base = List.assoc w p.O.values in
      List.iteri
        (fun i g ->
          incr checks;
          let x = List.nth base i in
          let h = 1e-6 *. Float.max 1.0 (Float.abs x) in
          let at d = (w, set_nth base i (x +. d)) :: List.remove_assoc w p.O.values in
          match total_at p (at h), total_at p (at (-. h)) with
          | Some cp, Some cm ->
              let fd = (cp -. cm) /. (2.0 *. h) in
              if not (close_rel 1e-6 fd g) then
                fail name "grad %s entry %d: backprop %.17g, finite difference %.17g" w i g fd
          | _ -> fail name "grad %s entry %d: finite difference leaves the domain" w i)
        grad)
    r.O.grads

let () =
  let dir = "cases" in
  let files = Sys.readdir dir |> Array.to_list |> List.sort compare in
  let graphs = List.filter (fun f -> Filename.check_suffix f ".graph") files in
  let covered = Hashtbl.create 16 in
  let ok_cases = ref 0 and err_cases = ref 0 in
  List.iter
    (fun f ->
      let name = Filename.chop_suffix f ".graph" in
      let exp_path = Filename.concat dir (name ^ ".expected") in
      if not (Sys.file_exists exp_path) then fail name "missing expected file %s" exp_path
      else begin
        let text = read_file (Filename.concat dir f) in
        let expected = read_file exp_path in
        let is_error = String.length expected >= 6 && String.sub expected 0 6 = "error:" in
        match O.run text with
        | Error line ->
            incr checks;
            if is_error then begin
              incr err_cases;
              let want = String.trim expected in
              if line <> want then fail name "expected error\n  %s\ngot\n  %s" want line
            end else fail name "unexpected error: %s" line
        | Ok out ->
            if is_error then fail name "expected %s, got a result" (String.trim expected)
            else begin
              incr ok_cases;
              compare_rows name expected out;
              let p = O.parse text in
              let r = O.evaluate p in
              let rn = O.evaluate ~naive:true p in
              incr checks;
              if r.O.grads <> rn.O.grads then fail name "backprop differs from naive_backprop";
              if not (has_mvn p) then begin
                finite_differences name p r;
                List.iter (fun o -> Hashtbl.replace covered o ()) (det_ops_of p)
              end
            end
      end)
    graphs;
  List.iter
    (fun o ->
      if C.op_kind o = "det" && not (Hashtbl.mem covered (C.op_name o)) then
        fail "coverage" "operator '%s' has no finite-difference case" (C.op_name o);
      if not (List.mem ("op_" ^ C.op_name o ^ ".graph") files) then
        fail "coverage" "operator '%s' has no golden case cases/op_%s.graph" (C.op_name o)
          (C.op_name o))
    C.ref_all_ops;
  (* A large graph (360,000-entry tensors) must not overflow the stack. *)
  let big =
    let n = 600 in
    let nums = String.concat " " (List.init (n * n) (fun i -> string_of_int (i mod 7))) in
    Printf.sprintf
      "certigrad-graph 1\nparam x : %d %d\ndet y : %d %d = mul_add x x x\ndet c : = sum y\ncost c\nvalue x %s\nend\n"
      n n n n nums
  in
  incr checks;
  (match O.run big with
   | Ok out ->
       (* grad = 2x + 1, so entry 3 (x = 3) is 7 *)
       let g = List.find (fun (k, _, _) -> k = "grad") (rows_of out) in
       let (_, _, xs) = g in
       if List.length xs <> 360000 || List.nth xs 3 <> 7.0 then fail "large" "wrong gradient"
   | Error e -> fail "large" "%s" e);
  (* Tensor.gemm's array realization (Gemm_arrays) against the list
     definition extracted as written (Extract.v, ref_gemm_lists), bit for
     bit, on random shapes: the float path (the oracle's float_ops) and the
     generic path (a copy of the record, not physically the same); and an
     ill-shaped call must fail. *)
  let bits l = List.map Int64.bits_of_float l in
  let rnd = Random.State.make [| 2026 |] in
  let generic = { C.float_ops with C.s_zero = 0.0 } in
  for t = 1 to 300 do
    let d () = 1 + Random.State.int rnd (if t <= 280 then 9 else 70) in
    let m = d () and k = d () and n = d () in
    let v len = List.init len (fun _ -> Random.State.float rnd 2.0 -. 1.0) in
    let a = v (m * k) and b = v (k * n) in
    let want = bits (C.ref_gemm_lists m k n a b) in
    incr checks;
    if bits (C.gemm C.float_ops m k n a b) <> want then
      fail "gemm" "float path differs from the list definition at %dx%d @ %dx%d" m k k n;
    incr checks;
    if bits (C.gemm generic m k n a b) <> want then
      fail "gemm" "generic path differs from the list definition at %dx%d @ %dx%d" m k k n
  done;
  incr checks;
  (match C.gemm C.float_ops 2 2 2 [ 1.0; 2.0; 3.0 ] [ 1.0; 2.0; 3.0; 4.0 ] with
   | _ -> fail "gemm" "an ill-shaped product did not fail"
   | exception Failure _ -> ());
  let exps = List.filter (fun f -> Filename.check_suffix f ".expected") files in
  List.iter
    (fun f ->
      let g = Filename.chop_suffix f ".expected" ^ ".graph" in
      if not (List.mem g files) then fail f "expected file without a graph")
    exps;
  Printf.printf "oracle tests: %d result cases, %d error cases, %d checks, %d failures\n"
    !ok_cases !err_cases !checks !failures;
  if !failures > 0 || graphs = [] then exit 1
