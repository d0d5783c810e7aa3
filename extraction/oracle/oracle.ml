(* The certigrad-ref oracle around the extracted Coq code (Certigrad_core):
   the parser of the graph format and the printer of the result format of
   docs/format.md, and [run], which checks,
   evaluates and differentiates a graph with the extracted functions.
   This file is trusted (tested, not proved): it only converts text to the
   extracted data types and back; every check on the graph itself, the
   forward pass and backprop are the extracted Coq definitions. *)

module C = Certigrad_core

(* Tensor.gemm's array realization runs on unboxed floats for this record
   (extraction/core/gemm_arrays.ml). *)
let () = Gemm_arrays.register_float_ops C.float_ops

exception Line_error of int * string

let fail n msg = raise (Line_error (n, msg))

(* ------------------------------------------------------------------ *)
(* Lexical helpers *)

let is_space c = c = ' ' || c = '\t' || c = '\r'

let tokens (s : string) : string list =
  let s = match String.index_opt s '#' with Some i -> String.sub s 0 i | None -> s in
  let n = String.length s in
  let rec go i acc =
    if i >= n then List.rev acc
    else if is_space s.[i] then go (i + 1) acc
    else begin
      let j = ref i in
      while !j < n && not (is_space s.[!j]) do incr j done;
      go !j (String.sub s i (!j - i) :: acc)
    end
  in
  go 0 []

let is_digit c = c >= '0' && c <= '9'

(* Names match [A-Za-z_][A-Za-z0-9_.]* *)
let valid_name s =
  String.length s > 0
  && (match s.[0] with 'A' .. 'Z' | 'a' .. 'z' | '_' -> true | _ -> false)
  && String.for_all
       (fun c -> match c with 'A' .. 'Z' | 'a' .. 'z' | '0' .. '9' | '_' | '.' -> true | _ -> false)
       s

let name_tok n s =
  if valid_name s then s else fail n (Printf.sprintf "bad name '%s'" s)

(* Decimal numbers: [+-]? (d+ (. d* )? | . d+) ([eE] [+-]? d+)? *)
let decimal_syntax s =
  let n = String.length s in
  let i = ref 0 in
  let digits () = let st = !i in while !i < n && is_digit s.[!i] do incr i done; !i - st in
  if !i < n && (s.[!i] = '+' || s.[!i] = '-') then incr i;
  let d1 = digits () in
  let d2 = if !i < n && s.[!i] = '.' then (incr i; digits ()) else 0 in
  let mant_ok = d1 + d2 > 0 in
  let exp_ok =
    if !i < n && (s.[!i] = 'e' || s.[!i] = 'E') then begin
      incr i;
      if !i < n && (s.[!i] = '+' || s.[!i] = '-') then incr i;
      digits () > 0
    end else true
  in
  mant_ok && exp_ok && !i = n

let number n s =
  if not (decimal_syntax s) then
    fail n (Printf.sprintf "bad number '%s' (decimal numbers only; nan and inf are rejected)" s)
  else
    match float_of_string_opt s with
    | Some x when Float.is_finite x -> x
    | _ -> fail n (Printf.sprintf "number '%s' is not finite" s)

let dim n s =
  if s <> "" && String.for_all is_digit s && String.length s <= 9 then int_of_string s
  else fail n (Printf.sprintf "bad dimension '%s' (a positive integer)" s)

(* ------------------------------------------------------------------ *)
(* The graph file *)

type parsed = {
  graph : float C.graph;
  values : float C.env;     (* input name -> value, in file order *)
  draws : float C.env;      (* rand node name -> draw, in file order *)
}

(* Phases, in file order. *)
let phase_of = function
  | "input" | "param" -> 1
  | "det" | "rand" -> 2
  | "cost" -> 3
  | "value" -> 4
  | "draw" -> 5
  | "end" -> 6
  | _ -> -1

(* [name : dims... = rest] -> name, dims, rest; or [name : dims...] *)
let split_decl n toks ~with_op =
  match toks with
  | name :: ":" :: rest ->
      let name = name_tok n name in
      let rec dims acc = function
        | [] -> (List.rev acc, None)
        | "=" :: r -> (List.rev acc, Some r)
        | d :: r -> dims (dim n d :: acc) r
      in
      let ds, op = dims [] rest in
      (match op, with_op with
       | Some _, false -> fail n "unexpected '=' in a declaration"
       | None, true -> fail n "expected '= operator parents...'"
       | _ -> ());
      (name, ds, op)
  | _ -> fail n "expected 'NAME : dims'"

let parse_op n ~kind toks =
  match toks with
  | [] -> fail n "missing operator"
  | opname :: rest ->
      match C.ref_op_of_name opname with
      | None -> fail n (Printf.sprintf "unknown operator '%s'" opname)
      | Some o ->
          let k = C.op_kind o in
          if k <> kind then
            fail n (Printf.sprintf "'%s' is a %s operator (use '%s')" opname
                      (if k = "det" then "deterministic" else "random") k);
          if C.op_has_attr o then
            match rest with
            | a :: parents -> (C.op_set_attr o (number n a), parents)
            | [] -> fail n (Printf.sprintf "%s: expects a number attribute" opname)
          else (o, rest)

let parse (text : string) : parsed =
  let lines = String.split_on_char '\n' text in
  let phase = ref 0 in
  let inputs = ref [] and params = ref [] and nodes = ref [] and costs = ref [] in
  let values = ref [] and draws = ref [] in
  let input_names = Hashtbl.create 16 and rand_names = Hashtbl.create 16 in
  let last = ref 0 in
  List.iteri
    (fun i line ->
      let n = i + 1 in
      last := n;
      match tokens line with
      | [] -> ()
      | toks when !phase = 6 -> ignore toks; fail n "text after 'end'"
      | toks when !phase = 0 ->
          if toks = [ "certigrad-graph"; "1" ] then phase := 1
          else fail n "expected the header 'certigrad-graph 1'"
      | kw :: rest ->
          let p = phase_of kw in
          if p < 0 then fail n (Printf.sprintf "unknown line kind '%s'" kw);
          if p < !phase then
            fail n (Printf.sprintf
                      "'%s' line out of order (order: input/param, det/rand, cost, value, draw, end)" kw);
          phase := p;
          match kw with
          | "input" | "param" ->
              let name, ds, _ = split_decl n rest ~with_op:false in
              inputs := { C.ref_name = name; C.ref_shape = ds } :: !inputs;
              Hashtbl.replace input_names name ();
              if kw = "param" then params := name :: !params
          | "det" | "rand" ->
              let name, ds, op = split_decl n rest ~with_op:true in
              let o, parents = parse_op n ~kind:kw (Option.get op) in
              let parents = List.map (name_tok n) parents in
              let r = { C.ref_name = name; C.ref_shape = ds } in
              let node =
                match o with
                | C.ODet d -> C.NDet (r, d, parents)
                | C.ORand d -> Hashtbl.replace rand_names name (); C.NRand (r, d, parents)
              in
              nodes := node :: !nodes
          | "cost" ->
              (match rest with
               | [ c ] -> costs := name_tok n c :: !costs
               | _ -> fail n "expected 'cost NAME'")
          | "value" | "draw" ->
              (match rest with
               | [] -> fail n (Printf.sprintf "expected '%s NAME numbers...'" kw)
               | name :: nums ->
                   let name = name_tok n name in
                   let table, store, what =
                     if kw = "value" then (input_names, values, "an input")
                     else (rand_names, draws, "a random node")
                   in
                   if not (Hashtbl.mem table name) then
                     fail n (Printf.sprintf "'%s' is not %s" name what);
                   if List.mem_assoc name !store then
                     fail n (Printf.sprintf "duplicate %s for '%s'" kw name);
                   store := (name, List.rev (List.rev_map (number n) nums)) :: !store)
          | "end" -> if rest <> [] then fail n "expected 'end' alone" else phase := 6
          | _ -> assert false)
    lines;
  if !phase = 0 then fail 1 "empty input, expected the header 'certigrad-graph 1'";
  if !phase <> 6 then fail (!last + 1) "missing 'end'";
  {
    graph = { C.g_inputs = List.rev !inputs; C.g_params = List.rev !params;
              C.g_nodes = List.rev !nodes; C.g_costs = List.rev !costs };
    values = List.rev !values;
    draws = List.rev !draws;
  }

(* ------------------------------------------------------------------ *)
(* Evaluation *)

type result = {
  node_values : (string * float list) list;  (* every node, in graph order *)
  cost_values : (string * float) list;       (* every cost, in cost order *)
  total : float;
  grads : (string * float list) list;        (* every param, in order *)
}

exception Node_error of string * string

(* [%.17g] (round-trips every float), by the C printf directly: the same
   text as [Printf.sprintf "%.17g"], without its format interpreter (the
   oracle prints millions of numbers). *)
external format_float : string -> float -> string = "caml_format_float"

let fmt x = format_float "%.17g" x

let find env k = match C.lookup env k with Some v -> v | None -> []

(* Non-finite results (docs/semantics.md): every node value, the running
   total over the costs and every gradient must be finite, else an error in
   the runtime's format, checked in the runtime's order: node values in
   graph order (each before the next node's domain check), the total, then
   the gradients in parameter order. *)
let fmt_nonfinite x = if Float.is_nan x then "nan" else if x > 0.0 then "inf" else "-inf"

let first_nonfinite xs =
  let rec go i = function
    | [] -> None
    | x :: r -> if Float.is_finite x then go (i + 1) r else Some (i, x)
  in
  go 0 xs

(* [prefix]: "OP: " for a node value, "" for a gradient; [what]: "value" or
   "gradient". *)
let nonfinite_error name prefix what (i, x) =
  raise (Node_error (name, Printf.sprintf "%sentry %d of the %s is %s (non-finite result)"
                             prefix i what (fmt_nonfinite x)))

let op_label n =
  match n with
  | C.NDet (_, o, _) -> C.op_name (C.ODet o)
  | C.NRand (_, o, _) -> C.op_name (C.ORand o)

(* The values of the nodes before [stop] (all of them when [None]). *)
let check_values (g : float C.graph) vals stop =
  let rec go = function
    | [] -> ()
    | n :: rest ->
        let x = C.node_name n in
        if Some x <> stop then begin
          (match first_nonfinite (find vals x) with
           | Some e -> nonfinite_error x (op_label n ^ ": ") "value" e
           | None -> ());
          go rest
        end
  in
  go g.C.g_nodes

let check_total (g : float C.graph) vals =
  ignore
    (List.fold_left
       (fun acc c ->
         let t = acc +. C.scalar_of C.float_ops (find vals c) in
         if Float.is_finite acc && not (Float.is_finite t) then
           raise (Node_error (c, Printf.sprintf
                                "the total cost is %s after adding this cost (non-finite result)"
                                (fmt_nonfinite t)));
         t)
       0.0 g.C.g_costs)

(* The estimator of `--estimator all|downstream [--baseline Z=B]...`
   (theories/core/BackpropEst.v); no arguments: Certigrad's (all costs). *)
let estimator_of_args (args : string list) : C.estimator =
  let rec baselines acc = function
    | [] -> List.rev acc
    | "--baseline" :: zb :: rest ->
        (match String.index_opt zb '=' with
         | Some i when i > 0 && i < String.length zb - 1 ->
             let z = String.sub zb 0 i and b = String.sub zb (i + 1) (String.length zb - i - 1) in
             if List.mem_assoc z acc then fail 0 (Printf.sprintf "two baselines for '%s'" z);
             baselines ((z, b) :: acc) rest
         | _ -> fail 0 (Printf.sprintf "bad baseline '%s' (want Z=B)" zb))
    | a :: _ -> fail 0 (Printf.sprintf "unexpected argument '%s'" a)
  in
  match args with
  | [] | [ "--estimator"; "all" ] -> C.AllCosts
  | "--estimator" :: "downstream" :: rest -> C.Downstream (baselines [] rest)
  | "--estimator" :: "all" :: _ -> fail 0 "baselines need --estimator downstream"
  | "--estimator" :: e :: _ -> fail 0 (Printf.sprintf "unknown estimator '%s' (all, downstream)" e)
  | a :: _ -> fail 0 (Printf.sprintf "unexpected argument '%s'" a)

(* Check, forward, backprop: all extracted except the bookkeeping here. *)
let evaluate ?(naive = false) ?(estimator = C.AllCosts) (p : parsed) : result =
  (match C.ref_check_graph p.graph with
   | C.CheckOk -> ()
   | C.CheckErr (x, m) -> raise (Node_error (x, m)));
  (match C.check_estimator p.graph estimator with
   | C.CheckOk -> ()
   | C.CheckErr (x, m) -> raise (Node_error (x, m)));
  (match C.ref_check_data p.graph p.values p.draws with
   | C.CheckOk -> ()
   | C.CheckErr (x, m) -> raise (Node_error (x, m)));
  let vals =
    match C.ref_forward_checked p.graph p.values p.draws with
    | C.Inl vals -> vals
    | C.Inr e ->
        (* a non-finite value before the node out of its domain comes first *)
        check_values p.graph (C.ref_forward p.graph p.values p.draws) (Some e.C.de_node);
        let where = match e.C.de_parent with Some q -> Printf.sprintf " of '%s'" q | None -> "" in
        raise (Node_error (e.C.de_node,
                           Printf.sprintf "%s: entry %d%s is %s, outside the domain (%s)"
                             e.C.de_op e.C.de_index where (fmt e.C.de_value) e.C.de_cond))
  in
  check_values p.graph vals None;
  check_total p.graph vals;
  (* ref_backprop_from on forward_checked's values is ref_backprop
     (ForwardOnce.backprop_from_checked): the forward pass runs once. *)
  let grads =
    match estimator with
    | C.AllCosts ->
        if naive then C.ref_naive_backprop p.graph p.values p.draws
        else C.ref_backprop_from p.graph vals
    | C.Downstream _ ->
        (* the baselines were checked above, so this is Ok (backprop_est_ok);
           the naive specification is equal (est_grads_eq_naive) *)
        if naive then C.ref_naive_est_grads estimator p.graph vals
        else
          (match C.ref_backprop_est_from estimator p.graph vals with
           | C.Ok grads -> grads
           | C.Err m -> failwith m)
  in
  List.iter
    (fun (x, v) ->
      match first_nonfinite v with Some e -> nonfinite_error x "" "gradient" e | None -> ())
    grads;
  {
    node_values = List.map (fun n -> let x = C.node_name n in (x, find vals x)) p.graph.C.g_nodes;
    cost_values = List.map (fun c -> (c, C.scalar_of C.float_ops (find vals c))) p.graph.C.g_costs;
    total = C.ref_total_cost p.graph vals;
    grads;
  }

(* The result text; [values] false leaves out the [value] lines (the node
   values), which the caller did not ask for. *)
let print_result ?(values = true) (r : result) : string =
  let b = Buffer.create (1 lsl 20) in
  let line kw name xs =
    Buffer.add_string b kw;
    if name <> "" then (Buffer.add_char b ' '; Buffer.add_string b name);
    List.iter (fun x -> Buffer.add_char b ' '; Buffer.add_string b (fmt x)) xs;
    Buffer.add_char b '\n'
  in
  Buffer.add_string b "certigrad-result 1\n";
  if values then List.iter (fun (x, v) -> line "value" x v) r.node_values;
  List.iter (fun (c, v) -> line "cost " c [ v ]) r.cost_values;
  line "total" "" [ r.total ];
  List.iter (fun (x, v) -> line "grad " x v) r.grads;
  Buffer.add_string b "end\n";
  Buffer.contents b

(* The whole oracle on one input text: the result text, or the error line
   (without its trailing newline); [values] false: without the node values
   ([certigrad-ref --no-values]); [estimator_args]: [--estimator ...] and its
   baselines.  Never raises. *)
let run ?(naive = false) ?(values = true) ?(estimator_args = []) (text : string)
    : (string, string) Stdlib.result =
  try
    let estimator = estimator_of_args estimator_args in
    Ok (print_result ~values (evaluate ~naive ~estimator (parse text)))
  with
  | Line_error (n, m) -> Error (Printf.sprintf "error: line %d: %s" n m)
  | Node_error (x, m) -> Error (Printf.sprintf "error: node '%s': %s" x m)
  | Stack_overflow -> Error "error: line 0: internal error: stack overflow (graph too large)"
  | Out_of_memory -> Error "error: line 0: internal error: out of memory"
  | e -> Error (Printf.sprintf "error: line 0: internal error: %s"
                  (String.map (fun c -> if c = '\n' then ' ' else c) (Printexc.to_string e)))

(* ------------------------------------------------------------------ *)
(* Graphs as text, and the extracted transformations *)

(* The graph part of the format of docs/format.md (header, inputs and
   params, nodes, costs, end; no values), written exactly as the Python
   package's interchange.dump_graph writes it. *)
let graph_text (g : float C.graph) : string =
  let b = Buffer.create 4096 in
  let dims s = String.concat " " (List.map string_of_int s) in
  let add l = Buffer.add_string b l; Buffer.add_char b '\n' in
  add "certigrad-graph 1";
  List.iter
    (fun (r : C.reference) ->
      let kind = if List.mem r.C.ref_name g.C.g_params then "param" else "input" in
      let d = dims r.C.ref_shape in
      add (if d = "" then Printf.sprintf "%s %s :" kind r.C.ref_name
           else Printf.sprintf "%s %s : %s" kind r.C.ref_name d))
    g.C.g_inputs;
  List.iter
    (fun n ->
      let kind, r, o, ps =
        match n with
        | C.NDet (r, o, ps) -> ("det", r, C.ODet o, ps)
        | C.NRand (r, o, ps) -> ("rand", r, C.ORand o, ps)
      in
      let op = match o with C.ODet (C.Scale a) -> "scale " ^ fmt a | _ -> C.op_name o in
      let d = dims r.C.ref_shape in
      add (Printf.sprintf "%s %s : %s= %s" kind r.C.ref_name (if d = "" then "" else d ^ " ")
             (String.concat " " (op :: ps))))
    g.C.g_nodes;
  List.iter (fun c -> add ("cost " ^ c)) g.C.g_costs;
  add "end";
  Buffer.contents b

(* [certigrad-ref --aevb N_IN HIDDEN LATENT BATCH [naive]]: the AEVB graph
   of theories/aevb/AevbGraph.v (the one the AEVB theorem is about), or the
   naive one it is transformed from. *)
let aevb_text (sizes : string list) (naive : bool) : (string, string) Stdlib.result =
  match List.map int_of_string_opt sizes with
  | [ Some a; Some h; Some l; Some bs ] when a > 0 && h > 0 && l > 0 && bs > 0 ->
      Ok (graph_text ((if naive then C.ref_naive_aevb else C.ref_aevb_graph) a h l bs))
  | _ -> Error "error: line 0: --aevb takes four positive sizes: N_IN HIDDEN LATENT BATCH"

(* [certigrad-ref --transform STEP... < graph]: the graph after the
   extracted transformations, in order; a step is integrate_kl:NODE or
   reparameterize:NODE:NEW (NEW the name of the noise node). *)
let transform_text (steps : string list) (text : string) : (string, string) Stdlib.result =
  let step g s =
    match String.split_on_char ':' s with
    | [ "integrate_kl"; kl ] -> C.ref_integrate_kl kl g
    | [ "reparameterize"; z; eps ] -> C.ref_reparameterize z eps g
    | _ -> C.Err (Printf.sprintf "unknown transformation '%s' (integrate_kl:NODE or reparameterize:NODE:NEW)" s)
  in
  try
    let g = (parse text).graph in
    (match C.ref_check_graph g with
     | C.CheckOk -> ()
     | C.CheckErr (x, m) -> raise (Node_error (x, m)));
    let rec go g = function
      | [] -> Ok (graph_text g)
      | s :: rest -> (match step g s with C.Ok g' -> go g' rest | C.Err m -> Error ("error: " ^ m))
    in
    go g steps
  with
  | Line_error (n, m) -> Error (Printf.sprintf "error: line %d: %s" n m)
  | Node_error (x, m) -> Error (Printf.sprintf "error: node '%s': %s" x m)


(* ------------------------------------------------------------------ *)
(* The checker of theories/stochastic/Certify.v *)

(* One box argument NAME=LO:HI; LO and HI are decimal numbers, read exactly
   by the extracted [q_of_decimal], or empty / -inf / inf for no bound. *)
let parse_box (arg : string) : string * C.itv =
  let bad why = raise (Node_error ("", Printf.sprintf "bad box '%s': %s" arg why)) in
  match String.index_opt arg '=' with
  | None -> bad "expected NAME=LO:HI"
  | Some i ->
      let name = String.sub arg 0 i and rest = String.sub arg (i + 1) (String.length arg - i - 1) in
      if not (valid_name name) then bad (Printf.sprintf "bad name '%s'" name);
      (match String.split_on_char ':' rest with
       | [ lo; hi ] ->
           let bound s inf =
             if s = "" || s = inf then None
             else if not (decimal_syntax s) then bad (Printf.sprintf "bad number '%s'" s)
             else match C.ref_q_of_decimal s with
               | Some q -> Some q
               | None -> bad (Printf.sprintf "bad number '%s'" s)
           in
           let l = bound lo "-inf" and h = bound hi "inf" in
           (match l, h with
            | Some _, Some _ when float_of_string lo > float_of_string hi -> bad "empty (LO > HI)"
            | _ -> ());
           (name, (l, h))
       | _ -> bad "expected NAME=LO:HI")

(* [certigrad-ref --certify BOX... < graph]: the verdict of the extracted
   [certify] on the graph and the boxes (format: docs/format.md). *)
let certify_text (args : string list) (text : string) : (string, string) Stdlib.result =
  try
    let boxes = List.map parse_box args in
    List.iteri
      (fun i (x, _) ->
        if List.exists (fun (y, _) -> y = x) (List.filteri (fun k _ -> k < i) boxes) then
          raise (Node_error (x, "two boxes for the same name")))
      boxes;
    let g = (parse text).graph in
    let b = Buffer.create 256 in
    let add l = Buffer.add_string b l; Buffer.add_char b '\n' in
    add "certigrad-certify 1";
    (match C.ref_certify g boxes with
     | C.Certified ->
         add "certified";
         add ("checker " ^ C.ref_certify_version);
         add ("theorem " ^ C.ref_certify_theorem);
         List.iter
           (function
             | C.NRand (r, C.Mvn, _) ->
                 add (Printf.sprintf "reparameterize %s %s" r.C.ref_name (C.ref_eps_name r.C.ref_name))
             | _ -> ())
           g.C.g_nodes
     | C.Rejected (x, m) ->
         add "rejected";
         add ("node " ^ x);
         add ("reason " ^ String.map (fun c -> if c = '\n' then ' ' else c) m));
    add "end";
    Ok (Buffer.contents b)
  with
  | Line_error (n, m) -> Error (Printf.sprintf "error: line %d: %s" n m)
  | Node_error ("", m) -> Error (Printf.sprintf "error: line 0: %s" m)
  | Node_error (x, m) -> Error (Printf.sprintf "error: node '%s': %s" x m)
