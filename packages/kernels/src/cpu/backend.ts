import type { FloatArray, KernelBackend } from '../types.js';
import {
  addReluInto,
  batchNormBackwardInto,
  batchNormForwardInto,
  dropoutInto,
  reluMaskInto,
} from './elementwise/ops.js';
import { graphAggBackwardAdjacencyCpu, graphAggBackwardInputCpu, graphAggForwardCpu } from './graphAgg.js';
import { matmulCpu } from './matmul.js';
import { tconvBackwardInputCpu, tconvBackwardWeightCpu, tconvForwardCpu } from './tconv.js';
import { cpuTensorOps } from './tensorOps.js';

/** The fast CPU backend: blocked, packed gemm underneath every kernel; allocation-free once warm. */
export const cpuBackend: KernelBackend<FloatArray> = {
  ...cpuTensorOps,
  name: 'cpu',
  matmul: matmulCpu,
  tconvForward: tconvForwardCpu,
  tconvBackwardInput: tconvBackwardInputCpu,
  tconvBackwardWeight: tconvBackwardWeightCpu,
  graphAggForward: graphAggForwardCpu,
  graphAggBackwardInput: graphAggBackwardInputCpu,
  graphAggBackwardAdjacency: graphAggBackwardAdjacencyCpu,
  batchNormForward: batchNormForwardInto,
  batchNormBackward: batchNormBackwardInto,
  addRelu: addReluInto,
  reluMask: reluMaskInto,
  dropout: (out, mask, x, p, key) => dropoutInto(out, mask, x, p, key),
};
