(* certigrad-ref: the reference oracle.
   certigrad-ref          reads a graph (docs/format.md) on stdin, prints the result
   certigrad-ref --naive  the same, with gradients from the naive specification
   certigrad-ref --no-values  the same, without the node values (the value lines);
                          may follow --naive
   certigrad-ref [--naive] --estimator all|downstream [--baseline Z=B]... < graph
                          the same, with the score terms of theories/core/BackpropEst.v
                          (downstream: each random node's score times the costs
                          reachable from it, minus its scalar baseline input B)
   certigrad-ref --ops    prints the operator table as JSON (ops/ops.json)
   certigrad-ref --ops-cpp  prints it as a C++ header (cpp/ops_table.hpp)
   certigrad-ref --ops-py   prints it as a Python module (python/certigrad/_ops_table.py)
   certigrad-ref --aevb N_IN HIDDEN LATENT BATCH [naive]
                          prints the AEVB graph of theories/aevb/AevbGraph.v (or the naive one)
   certigrad-ref --transform STEP... < graph
                          prints the graph after the extracted transformations
                          (integrate_kl:NODE, reparameterize:NODE:NEW)
   certigrad-ref --certify [NAME=LO:HI]... < graph
                          prints the verdict of the extracted checker of
                          theories/stochastic/Certify.v on the graph, the data
                          inputs in the boxes (LO, HI decimal, or empty for no bound)
   On bad input: one line `error: ...` on stderr, exit status 1. *)

let read_all ic =
  let b = Buffer.create 65536 in
  let chunk = Bytes.create 65536 in
  let rec go () =
    let k = input ic chunk 0 65536 in
    if k > 0 then (Buffer.add_subbytes b chunk 0 k; go ())
  in
  go ();
  Buffer.contents b

let () =
  (* A large minor heap (32M words, 256 MB, touched only as used) and less
     eager major collection: the oracle allocates list cells by the million,
     most short-lived (GC settings change no result; on a full-size AEVB
     graph 32M words take 1.5 s of the 8.5 s CPU of 4M). *)
  Gc.set { (Gc.get ()) with Gc.minor_heap_size = 32 lsl 20; Gc.space_overhead = 200 };
  let code =
    try
      match Array.to_list Sys.argv |> List.tl with
      | [ "--ops" ] -> print_string (Certigrad_oracle.Op_tables.json ()); 0
      | [ "--ops-cpp" ] -> print_string (Certigrad_oracle.Op_tables.cpp ()); 0
      | [ "--ops-py" ] -> print_string (Certigrad_oracle.Op_tables.py ()); 0
      | "--aevb" :: sizes ->
          let naive, sizes =
            match List.rev sizes with "naive" :: r -> (true, List.rev r) | _ -> (false, sizes) in
          (match Certigrad_oracle.Oracle.aevb_text sizes naive with
           | Ok out -> print_string out; 0
           | Error line -> prerr_endline line; 1)
      | "--transform" :: steps ->
          (match Certigrad_oracle.Oracle.transform_text steps (read_all stdin) with
           | Ok out -> print_string out; 0
           | Error line -> prerr_endline line; 1)
      | "--certify" :: boxes ->
          (match Certigrad_oracle.Oracle.certify_text boxes (read_all stdin) with
           | Ok out -> print_string out; 0
           | Error line -> prerr_endline line; 1)
      | ([] | ("--naive" | "--no-values" | "--estimator") :: _) as a ->
          (* [--naive] [--no-values] in either order, then the estimator's arguments *)
          let rec flags naive values = function
            | "--naive" :: r -> flags true values r
            | "--no-values" :: r -> flags naive false r
            | r -> (naive, values, r)
          in
          let naive, values, estimator_args = flags false true a in
          (match Certigrad_oracle.Oracle.run ~naive ~values ~estimator_args (read_all stdin) with
           | Ok out -> print_string out; 0
           | Error line -> prerr_endline line; 1)
      | _ -> prerr_endline "error: line 0: usage: certigrad-ref [--ops | --ops-cpp | --ops-py | [--naive] [--no-values] [--estimator all|downstream [--baseline Z=B]...] | --aevb N_IN HIDDEN LATENT BATCH [naive] | --transform STEP... | --certify [NAME=LO:HI]...] < graph"; 1
    with e ->
      prerr_endline ("error: line 0: internal error: " ^ Printexc.to_string e); 1
  in
  exit code
